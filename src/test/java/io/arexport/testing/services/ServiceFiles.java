package io.arexport.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where the services' artifacts are, their scratch directories and loopback ports. */
final class ServiceFiles {
  private static final String OWNER_FILE = ".arexport-test-owner";

  private ServiceFiles() {}

  /**
   * A jar that Maven's dependency plugin copied into target/test-services (pom.xml, phase
   * generate-test-resources); surefire passes its path as the system property {@code key}.
   */
  static Path artifact(String key, String fileName) {
    String configured = System.getProperty(key);
    Path jar = configured != null ? Path.of(configured)
        : Path.of("target", "test-services", fileName).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run the tests through Maven"
          + " (mvn test copies it into target/test-services), or set -D" + key);
    }
    return jar;
  }

  /** A file of the project's source tree (surefire runs the tests in the project directory). */
  static Path projectFile(String relative) {
    Path file = Path.of(System.getProperty("arexport.test.project-dir", ".")).resolve(relative)
        .toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(file + " is missing (run the tests from the project directory)");
    }
    return file;
  }

  /**
   * A fresh scratch directory under java.io.tmpdir, readable by other users (PostgreSQL). It
   * records the test JVM's pid: a JVM killed with SIGKILL cannot delete its directories (its
   * services die with it, see {@link ServiceProcess}), so each new one first removes those of
   * the same prefix whose JVM is gone.
   */
  static Path scratchDirectory(String prefix) {
    try {
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      removeAbandoned(tmp, prefix);
      Path dir = Files.createTempDirectory(tmp, prefix);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(dir.resolve(OWNER_FILE), ownerTag());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a scratch directory", e);
    }
  }

  /** pid and start instant of this JVM (a pid alone may have been reused). */
  private static String ownerTag() {
    ProcessHandle self = ProcessHandle.current();
    return self.pid() + " " + self.info().startInstant().map(Object::toString).orElse("?");
  }

  private static void removeAbandoned(Path tmp, String prefix) throws IOException {
    try (Stream<Path> entries = Files.list(tmp)) {
      for (Path dir : entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
        Path owner = dir.resolve(OWNER_FILE);
        if (!Files.isRegularFile(owner)) {
          continue;  // not one of ours, or still being created
        }
        String[] tag = Files.readString(owner).trim().split(" ", 2);
        boolean ownerAlive = ProcessHandle.of(Long.parseLong(tag[0]))
            .filter(p -> p.info().startInstant().map(Object::toString).orElse("?").equals(tag[1]))
            .isPresent();
        if (!ownerAlive) {
          deleteRecursively(dir);
        }
      }
    } catch (RuntimeException | IOException e) {
      // best effort: a directory that cannot be swept is left for the OS's tmp cleaning
    }
  }

  /** A port free on 127.0.0.1 right now (the service binds it a moment later). */
  static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Whether something accepts TCP connections on 127.0.0.1:port. */
  static boolean listening(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
