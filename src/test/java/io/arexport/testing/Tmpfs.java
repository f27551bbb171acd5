package io.arexport.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A size-limited tmpfs mounted on a test directory, for full-disk and read-only tests. Needs root
 * and the {@code mount} command (both there on the project's machines and in CI); {@link
 * #available()} tells, so tests can skip with a reason instead of failing elsewhere.
 */
public final class Tmpfs implements AutoCloseable {
  private final Path mountPoint;
  private boolean mounted;

  private Tmpfs(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /** Mounts a tmpfs of {@code size} (mount's syntax: "2m", "64m") on {@code dir} (created). */
  public static Tmpfs mount(Path dir, String size) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Tmpfs tmpfs = new Tmpfs(dir);
    tmpfs.run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", dir.toString());
    tmpfs.mounted = true;
    return tmpfs;
  }

  /** True when this process can mount a tmpfs (root, mount present); probes once. */
  public static synchronized boolean available() {
    if (probed == null) {
      try {
        Path dir = Files.createTempDirectory("arexport-tmpfs-probe-");
        try (Tmpfs probe = mount(dir, "1m")) {
          probed = Files.getFileStore(dir).type().equals("tmpfs");
        } finally {
          Files.deleteIfExists(dir);
        }
      } catch (IOException | InterruptedException | RuntimeException e) {
        probed = false;
      }
    }
    return probed;
  }

  private static Boolean probed;

  public Path path() {
    return mountPoint;
  }

  /** Changes the size limit in place (files stay). */
  public void resize(String size) throws IOException, InterruptedException {
    run("mount", "-o", "remount,size=" + size, mountPoint.toString());
  }

  /**
   * Makes the filesystem read-only. The kernel refuses while a file on it is open for writing, so
   * this retries for up to {@code timeoutMillis}; returns whether it succeeded.
   */
  public boolean remountReadOnly(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    do {
      try {
        run("mount", "-o", "remount,ro", mountPoint.toString());
        return true;
      } catch (IOException e) {
        Thread.sleep(5);
      }
    } while (System.nanoTime() < deadline);
    return false;
  }

  public void remountReadWrite() throws IOException, InterruptedException {
    run("mount", "-o", "remount,rw", mountPoint.toString());
  }

  private void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.trim());
    }
  }

  /** Unmounts (lazily, so a leftover open file cannot keep the mount). */
  @Override
  public void close() throws IOException, InterruptedException {
    if (mounted) {
      List<String> command = new ArrayList<>(List.of("umount", "-l", mountPoint.toString()));
      run(command.toArray(String[]::new));
      mounted = false;
    }
  }
}
