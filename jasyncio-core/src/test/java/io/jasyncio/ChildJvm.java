package io.jasyncio;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A test's child JVM: the same {@code java}, class path and scheduling mode as the test's, a main
 * class of the test sources, its standard output as lines, its standard error in a file, real
 * signals by {@code kill -s NAME PID}. Every wait is bounded by {@link #WAIT_SECONDS}; the test
 * destroys the child at the end.
 */
public final class ChildJvm {
    /** The bound on each wait for a line or an exit. */
    public static final long WAIT_SECONDS = 20;

    public final Process process;
    /** Every line read so far by {@link #expect} and {@link #exit}. */
    public final List<String> seen = new ArrayList<>();
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path stderr;
    private final Thread reader;

    public ChildJvm(Class<?> main, List<String> jvmOptions, String... args) throws IOException {
        this(List.of(), main, jvmOptions, args);
    }

    /**
     * A child JVM started through {@code launcher}, a command that ends by running the rest of its
     * arguments: {@link #withFdLimit} gives one.
     */
    public ChildJvm(List<String> launcher, Class<?> main, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(defaultSignals());
        cmd.addAll(launcher);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        String scheduler = System.getProperty("jasyncio.scheduler", "auto");
        cmd.add("-Djasyncio.scheduler=" + scheduler);
        if (!scheduler.equals("shared")) {
            cmd.add("--add-opens");
            cmd.add("java.base/java.lang=ALL-UNNAMED");
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        stderr = Files.createTempFile("child-jvm", ".err");
        stderr.toFile().deleteOnExit();
        process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        });
    }

    /** A launcher (see the constructor) that runs the child with at most {@code n} open files. */
    public static List<String> withFdLimit(int n) {
        return List.of("bash", "-c", "ulimit -n " + n + " && exec \"$@\"", "bash");
    }

    /**
     * A command prefix that gives the child the default handling of SIGINT, SIGTERM and SIGHUP.
     * A process inherits ignored signals: run from a non-interactive shell's background job, this
     * JVM ignores SIGINT, and so would the child (and the JVM would keep it ignored). GNU
     * {@code env --default-signal} undoes that; without it, the tests that need these signals are
     * skipped if they are ignored here.
     */
    public static List<String> defaultSignals() {
        List<String> prefix = List.of("env", "--default-signal=INT,TERM,HUP");
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT,TERM,HUP", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return prefix;
            }
        } catch (IOException | InterruptedException e) {
            // no GNU env: fall through
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(shutdownSignalsIgnored(),
                "SIGINT, SIGTERM or SIGHUP is ignored in this process and env --default-signal is missing");
        return List.of();
    }

    /** Whether this process ignores SIGHUP, SIGINT or SIGTERM (Linux: /proc/self/status). */
    static boolean shutdownSignalsIgnored() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(l.substring(7).trim(), 16);
                    long wanted = (1L << (1 - 1)) | (1L << (2 - 1)) | (1L << (15 - 1));   // HUP, INT, TERM
                    return (mask & wanted) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: assume not ignored
        }
        return false;
    }

    /**
     * Reads lines until one equals {@code line}, or starts with it if it ends with {@code "*"}.
     *
     * @return the matching line
     */
    public String expect(String line) throws InterruptedException {
        boolean prefix = line.endsWith("*");
        String want = prefix ? line.substring(0, line.length() - 1) : line;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (;;) {
            String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) {
                fail("no line '" + line + "' from the child; it said " + seen + ", stderr: " + stderrText());
            }
            seen.add(l);
            if (prefix ? l.startsWith(want) : l.equals(want)) {
                return l;
            }
        }
    }

    /** Sends a signal by name ("INT", "TERM", ...). */
    public void kill(String signal) throws Exception {
        Process k = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid())).inheritIO().start();
        assertTrue(k.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -s " + signal);
    }

    /** Waits for the exit and returns the status; the rest of standard output goes to {@link #seen}. */
    public int exit() throws InterruptedException {
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            fail("the child did not exit; it said " + seen + lines + ", stderr: " + stderrText());
        }
        reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));   // the rest of the pipe, up to EOF
        lines.drainTo(seen);
        return process.exitValue();
    }

    public String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
