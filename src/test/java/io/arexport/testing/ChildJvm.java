package io.arexport.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code arexport} in a separate JVM (same classpath as the tests), so tests can kill it with
 * SIGKILL, limit its heap, or run two at once.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final List<String> errLines = new CopyOnWriteArrayList<>();
  private final StringBuilder out = new StringBuilder();
  private final Thread errPump;
  private final Thread outPump;

  private ChildJvm(Process process) {
    this.process = process;
    this.errPump = pump(process.getErrorStream(), errLines::add);
    this.outPump = pump(process.getInputStream(), line -> {
      synchronized (out) {
        out.append(line).append('\n');
      }
    });
  }

  /** Starts {@code arexport args...} with extra JVM options and environment variables. */
  public static ChildJvm start(List<String> jvmOptions, Map<String, String> env, Path workDir,
      String... args) throws IOException {
    return start(List.of(), jvmOptions, env, workDir, args);
  }

  /**
   * As {@link #start}, with SIGINT's disposition reset to the default first. A process started
   * with SIGINT ignored (a background job of a non-interactive shell, as a CI runner may start
   * the suite) passes that on to its children, and a JVM then installs no SIGINT handler; the
   * reset (by a Python exec wrapper: the pid stays the child's) makes a SIGINT test independent of
   * how the suite was started.
   */
  public static ChildJvm startWithDefaultSigint(List<String> jvmOptions, Map<String, String> env,
      Path workDir, String... args) throws IOException {
    return start(List.of("python3", "-c", "import os, signal, sys;"
        + " signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"),
        jvmOptions, env, workDir, args);
  }

  private static ChildJvm start(List<String> launcher, List<String> jvmOptions,
      Map<String, String> env, Path workDir, String... args) throws IOException {
    List<String> command = new ArrayList<>(launcher);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")));
    command.add("io.arexport.cli.Main");
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().putAll(env);
    return new ChildJvm(builder.start());
  }

  private static Thread pump(java.io.InputStream stream, java.util.function.Consumer<String> sink) {
    Thread thread = new Thread(() -> {
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          sink.accept(line);
        }
      } catch (IOException e) {
        // Process ended.
      }
    });
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** Waits until a stderr line contains {@code text}; false on timeout or process exit. */
  public boolean awaitErrLine(String text, long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      if (errLines.stream().anyMatch(l -> l.contains(text))) {
        return true;
      }
      if (!process.isAlive()) {
        return errLines.stream().anyMatch(l -> l.contains(text));
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** Kills the process with SIGKILL (no shutdown hooks, no finally blocks) and waits for it. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Waits for the process to exit; returns its status. */
  public int waitFor(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child JVM did not finish in " + timeoutSeconds + " s; stderr: "
          + String.join("\n", errLines));
    }
    errPump.join(5000);
    outPump.join(5000);
    return process.exitValue();
  }

  /** True once the process has exited (without waiting). */
  public boolean hasExited() {
    return !process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public String err() {
    return String.join("\n", errLines);
  }

  public String out() {
    synchronized (out) {
      return out.toString();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
