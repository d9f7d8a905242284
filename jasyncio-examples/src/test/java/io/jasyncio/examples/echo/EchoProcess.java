package io.jasyncio.examples.echo;

import io.jasyncio.examples.Main;

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
 * {@code ./jasyncio echo ARGS} in a child JVM (the launcher's main class on this test's class
 * path), its standard output as lines, its standard error in a file, real signals by
 * {@code kill -s NAME PID}. Every wait is bounded; {@link #close()} kills what is left. The child
 * gets the default handling of SIGINT, SIGTERM and SIGHUP even if this JVM inherited them ignored
 * (a background job of a non-interactive shell ignores SIGINT), through GNU
 * {@code env --default-signal}, as jasyncio-core's {@code ChildJvm} does.
 */
final class EchoProcess implements AutoCloseable {
    static final long WAIT_SECONDS = 30;

    final Process process;
    /** Every line read so far by {@link #expect} and {@link #exit}. */
    final List<String> seen = new ArrayList<>();
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path stderr;
    private final Thread reader;

    EchoProcess(List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(defaultSignals());
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
        cmd.add(Main.class.getName());
        cmd.add("echo");
        cmd.addAll(List.of(args));
        stderr = Files.createTempFile("echo-child", ".err");
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

    /** Waits for "echo: listening on HOST:PORT..." (on standard error, as every program says where it listens) and returns the port. */
    int listeningPort() throws InterruptedException {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("(?m)^echo: listening on [^ ]*:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (;;) {
            java.util.regex.Matcher m = p.matcher(stderrText());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                fail("no line 'echo: listening on' on the child's stderr: " + stderrText() + "; stdout: " + seen + lines);
            }
            Thread.sleep(20);
        }
    }

    private static List<String> defaultSignals() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT,TERM,HUP", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return List.of("env", "--default-signal=INT,TERM,HUP");
            }
        } catch (IOException | InterruptedException e) {
            // no GNU env: fall through
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(signalsIgnored(),
                "SIGINT or SIGTERM is ignored in this process and env --default-signal is missing");
        return List.of();
    }

    private static boolean signalsIgnored() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(l.substring(7).trim(), 16);
                    return (mask & ((1L << (2 - 1)) | (1L << (15 - 1)))) != 0;     // INT, TERM
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return false;
    }

    /**
     * Reads lines until one equals {@code line}, or starts with it if it ends with {@code "*"}.
     *
     * @return the matching line
     */
    String expect(String line) throws InterruptedException {
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

    /** Sends a signal by name ("INT", "TERM"). */
    void kill(String signal) throws Exception {
        Process k = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid())).inheritIO().start();
        assertTrue(k.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -s " + signal);
    }

    /** Waits for the exit and returns the status; the rest of standard output goes to {@link #seen}. */
    int exit() throws InterruptedException {
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            fail("the child did not exit; it said " + seen + lines + ", stderr: " + stderrText());
        }
        reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        lines.drainTo(seen);
        return process.exitValue();
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
