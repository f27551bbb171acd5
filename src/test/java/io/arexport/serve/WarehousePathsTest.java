package io.arexport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Request paths to warehouse files: what is found, and the status of everything refused. */
class WarehousePathsTest {
  @TempDir static Path temp;
  static Path root;
  static WarehousePaths paths;

  @BeforeAll
  static void warehouse() throws Exception {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "TOP SECRET");
    root = Files.createDirectories(temp.resolve("wh")).toRealPath();
    Path partition = Files.createDirectories(root.resolve("blocks/data/height=0-999"));
    Files.writeString(partition.resolve("blocks_0_999_j.parquet"), "PAR1");
    Files.writeString(partition.resolve(".part-0.parquet"), "temp");
    Files.writeString(partition.resolve("x y %41.parquet"), "odd name");
    Files.writeString(partition.resolve("caf\u00e9.parquet"), "utf-8 name");
    Path metadata = Files.createDirectories(root.resolve("blocks/metadata"));
    Files.writeString(metadata.resolve("version-hint.text"), "1");
    Files.writeString(metadata.resolve("v2.metadata.json.tmp"), "{}");
    Files.createDirectories(root.resolve(".arexport"));
    Files.writeString(root.resolve(".arexport/lock"), "pid 1");
    Files.createDirectories(root.resolve("blocks/staging"));
    Files.writeString(root.resolve("blocks/staging/f.parquet"), "staged");
    Files.createSymbolicLink(root.resolve("blocks/escape.parquet"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("blocks/outside-dir"), outside);
    Files.createSymbolicLink(root.resolve("blocks/relative-escape"), Path.of("../../outside"));
    Files.createSymbolicLink(root.resolve("blocks/lock-link"), root.resolve(".arexport/lock"));
    Files.createSymbolicLink(root.resolve("blocks/inside-link.parquet"),
        Path.of("data/height=0-999/blocks_0_999_j.parquet"));
    paths = new WarehousePaths(root, List.of("local", "datasets", "default"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/local/datasets/default/blocks/data/height=0-999/blocks_0_999_j.parquet"
          + " | blocks/data/height=0-999/blocks_0_999_j.parquet",
      "/local/datasets/default/blocks/data/height%3D0-999/blocks_0_999_j.parquet"
          + " | blocks/data/height=0-999/blocks_0_999_j.parquet",
      "//local//datasets/default//blocks/metadata/version-hint.text"
          + " | blocks/metadata/version-hint.text",
      "/local/datasets/default/blocks/data/height=0-999/x%20y%20%2541.parquet"
          + " | blocks/data/height=0-999/x y %41.parquet",
      "/local/datasets/default/blocks/data/height=0-999/caf%C3%A9.parquet"
          + " | blocks/data/height=0-999/caf\u00e9.parquet",
      // A link that stays inside the warehouse, on visible paths, is followed.
      "/local/datasets/default/blocks/inside-link.parquet"
          + " | blocks/data/height=0-999/blocks_0_999_j.parquet",
  })
  void findsFilesUnderTheBasePath(String rawPath, String expected) {
    assertThat(paths.lookup(rawPath)).isInstanceOfSatisfying(WarehousePaths.Found.class,
        found -> assertThat(found.file()).isEqualTo(root.resolve(expected)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // Dot segments, raw or encoded, and encoded separators: 400 without touching the disk.
      "/local/datasets/default/../outside/secret.txt           | 400",
      "/local/datasets/default/blocks/../../outside/secret.txt | 400",
      "/local/datasets/default/%2e%2e/outside/secret.txt       | 400",
      "/local/datasets/default/%2E%2E/outside/secret.txt       | 400",
      "/local/datasets/default/.%2e/outside/secret.txt         | 400",
      "/local/datasets/default/./blocks/metadata/version-hint.text | 400",
      "/local/datasets/default/..%2foutside%2fsecret.txt       | 400",
      "/local/datasets/default/blocks%2F..%2F..%2Foutside      | 400",
      "/local/datasets/default/..%5coutside%5csecret.txt       | 400",
      "/local/datasets/default/blocks/metadata/version-hint.text%00.json | 400",
      "/local/datasets/default/%00                             | 400",
      "/local/datasets/default/%c0%ae%c0%ae/outside            | 400",
      "/local/datasets/default/%zz                             | 400",
      "/local/datasets/default/%2                              | 400",
      "/local/datasets/../datasets/default/blocks/metadata/version-hint.text | 400",
      "local/datasets/default/blocks/metadata/version-hint.text | 400",
      // Decoded once only: %252e%252e is the literal name '%2e%2e', which does not exist.
      "/local/datasets/default/%252e%252e/outside/secret.txt   | 404",
      // Absolute-path tricks stay under the root.
      "/local/datasets/default//etc/passwd                     | 404",
      "/etc/passwd                                             | 404",
      // Outside the base path.
      "/                                                       | 404",
      "/blocks/metadata/version-hint.text                      | 404",
      "/local/datasets/defaultX/blocks/metadata/version-hint.text | 404",
      "/local/datasets/blocks/metadata/version-hint.text       | 404",
      // Hidden: dotfiles, dot-directories, temporary files, staging.
      "/local/datasets/default/.arexport/lock                  | 404",
      "/local/datasets/default/.arexport                       | 404",
      "/local/datasets/default/%2earexport/lock                | 404",
      "/local/datasets/default/blocks/data/height=0-999/.part-0.parquet | 404",
      "/local/datasets/default/blocks/metadata/v2.metadata.json.tmp | 404",
      "/local/datasets/default/blocks/staging/f.parquet        | 404",
      "/local/datasets/default/blocks/STAGING/f.parquet        | 404",
      // Directories and missing files.
      "/local/datasets/default                                 | 404",
      "/local/datasets/default/                                | 404",
      "/local/datasets/default/blocks                          | 404",
      "/local/datasets/default/blocks/data/                    | 404",
      "/local/datasets/default/blocks/nothing.parquet          | 404",
      "/local/datasets/default/blocks/metadata/version-hint.text/x | 404",
      // Links whose real target is outside the warehouse or hidden.
      "/local/datasets/default/blocks/escape.parquet           | 403",
      "/local/datasets/default/blocks/outside-dir/secret.txt   | 403",
      "/local/datasets/default/blocks/relative-escape/secret.txt | 403",
      "/local/datasets/default/blocks/lock-link                | 403",
  })
  void refusesWithStatus(String rawPath, int status) {
    assertThat(paths.lookup(rawPath)).isInstanceOfSatisfying(WarehousePaths.Refused.class,
        refused -> assertThat(refused.status()).as(refused.reason()).isEqualTo(status));
  }

  @Test
  void absolutePathOfAFileOutsideIsLookedUpUnderTheRoot() {
    String secret = temp.resolve("outside/secret.txt").toAbsolutePath().toString();
    assertThat(paths.lookup("/local/datasets/default" + secret))
        .isInstanceOfSatisfying(WarehousePaths.Refused.class,
            refused -> assertThat(refused.status()).isEqualTo(404));
    assertThat(paths.lookup(secret)).isInstanceOf(WarehousePaths.Refused.class);
  }

  @Test
  void rootBasePathServesTheWarehouseAtSlash() {
    WarehousePaths atRoot = new WarehousePaths(root, List.of());
    assertThat(atRoot.lookup("/blocks/metadata/version-hint.text"))
        .isInstanceOf(WarehousePaths.Found.class);
    assertThat(atRoot.lookup("/")).isInstanceOf(WarehousePaths.Refused.class);
    assertThat(atRoot.lookup("/.arexport/lock")).isInstanceOf(WarehousePaths.Refused.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {".arexport", ".checkpoint", ".part-0.parquet", ".tmp-x", "x.tmp",
      "staging", "Staging"})
  void hiddenNames(String name) {
    assertThat(WarehousePaths.hidden(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"blocks", "metadata", "v1.metadata.json", "version-hint.text",
      "snap-1-abc.avro", "height=0-999", "staging2", "tmp"})
  void visibleNames(String name) {
    assertThat(WarehousePaths.hidden(name)).isFalse();
  }
}
