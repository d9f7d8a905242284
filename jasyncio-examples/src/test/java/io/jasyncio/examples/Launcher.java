package io.jasyncio.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The repository's {@code ./jasyncio} script run as a user runs it, in a child process: the same
 * JDK lookup, JVM options and class path (target/classes plus the runtime class path the build
 * writes before the tests), with {@code JASYNCIO_NO_BUILD=1} so that it runs what this build
 * compiled instead of starting Maven. Every wait is bounded; {@link #close()} kills what is left.
 */
final class Launcher implements AutoCloseable {
    static final long WAIT_SECONDS = 60;
    static final Path SCRIPT = Path.of("..", "jasyncio").toAbsolutePath().normalize();

    /** A finished run. */
    record Run(int status, String out, String err) {
        /** Standard error holds no Java stack trace. */
        boolean noStackTrace() {
            return !err.contains("\tat ") && !err.contains("Exception in thread") && !out.contains("\tat ");
        }
    }

    final Process process;
    private final LinkedBlockingQueue<String> outLines = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> errLines = new LinkedBlockingQueue<>();
    private final StringBuilder out = new StringBuilder();
    private final StringBuilder err = new StringBuilder();
    private final Thread outReader;
    private final Thread errReader;

    private Launcher(Map<String, String> env, List<String> args) throws IOException {
        assertTrue(Files.isExecutable(SCRIPT), "no launcher script at " + SCRIPT);
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPT.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JASYNCIO_NO_BUILD", "1");
        pb.environment().put("JASYNCIO_JAVA_OPTS", "-XX:TieredStopAtLevel=1");
        pb.environment().remove("JASYNCIO_MONITOR");
        pb.environment().remove("JASYNCIO_MONITOR_TOKEN");
        pb.environment().putAll(env);
        process = pb.start();
        outReader = reader(process.getInputStream(), outLines, out);
        errReader = reader(process.getErrorStream(), errLines, err);
    }

    private static Thread reader(InputStream in, LinkedBlockingQueue<String> lines, StringBuilder all) {
        return Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    synchronized (all) {
                        all.append(l).append('\n');
                    }
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        });
    }

    /** Starts {@code ./jasyncio ARGS}. */
    static Launcher start(Map<String, String> env, String... args) throws IOException {
        return new Launcher(env, List.of(args));
    }

    /** Runs {@code ./jasyncio ARGS} to its end. */
    static Run run(Map<String, String> env, String... args) throws Exception {
        try (Launcher l = start(env, args)) {
            return l.finish();
        }
    }

    /** Runs {@code ./jasyncio ARGS} to its end. */
    static Run run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    /** Waits for the exit. */
    Run finish() throws InterruptedException {
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            fail("./jasyncio did not exit; stdout: " + text(out) + ", stderr: " + text(err));
        }
        outReader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        errReader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        return new Run(process.exitValue(), text(out), text(err));
    }

    /** Waits for a line of standard error matching {@code regex} and returns its first group. */
    String awaitErr(String regex) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (;;) {
            String l = errLines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) {
                fail("no line /" + regex + "/ on stderr; stdout: " + text(out) + ", stderr: " + text(err));
            }
            Matcher m = p.matcher(l);
            if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : m.group();
            }
        }
    }

    /** What the child wrote on standard error so far. */
    String errSoFar() {
        return text(err);
    }

    private static String text(StringBuilder b) {
        synchronized (b) {
            return b.toString();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
