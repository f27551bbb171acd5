package io.arexport.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A test service running as a child process (s3proxy, PostgreSQL, the REST catalog server), with
 * its output in a log file, that cannot outlive the test JVM:
 * <ul>
 *   <li>{@link #close()} stops it and every process it started (process tree, children first);
 *   <li>a shutdown hook does the same when the JVM exits without closing it (a failed or
 *       interrupted run);
 *   <li>on Linux it is started through {@code setpriv --pdeathsig KILL}, so the kernel kills it
 *       even when the test JVM itself is SIGKILLed and no hook runs.
 * </ul>
 */
final class ServiceProcess implements AutoCloseable {
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private final String name;
  private final Process process;
  private final Path log;
  private final Thread shutdownHook;

  private ServiceProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.shutdownHook = new Thread(this::destroyTree, "stop-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts {@code command} in {@code workDir}, stdout and stderr to {@code log}.
   *
   * @param runAsUser when present (and the JVM runs as root), the service runs as that user
   */
  static ServiceProcess start(String name, List<String> command, Path workDir, Path log,
      Map<String, String> environment, Optional<String> runAsUser) {
    List<String> full = new ArrayList<>();
    if (Files.isExecutable(SETPRIV)) {
      full.add(SETPRIV.toString());
      if (runAsUser.isPresent() && isRoot()) {
        String user = runAsUser.get();
        full.addAll(List.of("--reuid=" + user, "--regid=" + user, "--init-groups"));
      }
      full.addAll(List.of("--pdeathsig", "KILL", "--"));
    } else if (runAsUser.isPresent() && isRoot()) {
      throw new IllegalStateException(SETPRIV + " (util-linux) is needed to run " + name
          + " as " + runAsUser.get());
    }
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    try {
      return new ServiceProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + full, e);
    }
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Runs a short command to completion (as {@code runAsUser} when root), failing on non-zero exit. */
  static String runToCompletion(String what, List<String> command, Path workDir,
      Optional<String> runAsUser, Duration timeout) {
    List<String> full = new ArrayList<>();
    if (runAsUser.isPresent() && isRoot()) {
      String user = runAsUser.get();
      full.addAll(List.of(SETPRIV.toString(), "--reuid=" + user, "--regid=" + user,
          "--init-groups", "--"));
    }
    full.addAll(command);
    try {
      Path out = Files.createTempFile("service-cmd", ".log");
      try {
        Process p = new ProcessBuilder(full).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          throw new IllegalStateException(what + " did not finish within " + timeout);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
          throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "): " + output);
        }
        return output;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(what + " could not run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }

  /** Polls {@code ready} until it holds, failing early (with the log) if the process exits. */
  void awaitReady(Duration timeout, BooleanSupplier ready) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      if (ready.getAsBoolean()) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue()
            + " before it was ready; its log " + log + ":\n" + logTail());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(name + " not ready within " + timeout + "; its log "
            + log + ":\n" + logTail());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** The last lines of the service's log, for failure messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /**
   * Sends the process (only it, not its children) a polite stop first, e.g. SIGINT for
   * PostgreSQL's fast shutdown; {@link #close()} then waits and kills whatever is left.
   */
  void signal(String signal) {
    if (process.isAlive()) {
      runToCompletion("kill -" + signal + " " + name,
          List.of("kill", "-" + signal, Long.toString(process.pid())),
          Path.of(System.getProperty("java.io.tmpdir")), Optional.empty(), Duration.ofSeconds(10));
    }
  }

  /** Waits up to {@code grace} for a stop asked by {@link #signal}, then kills the tree. */
  void stop(Duration grace) {
    try {
      process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close();
  }

  @Override
  public void close() {
    destroyTree();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or has run: nothing left to remove
    }
  }

  private void destroyTree() {
    // setpriv execs the service, so process is the service itself; its descendants are e.g.
    // PostgreSQL's backends. Children first, so none is re-parented to init and left running.
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    for (ProcessHandle child : tree) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
  }
}
