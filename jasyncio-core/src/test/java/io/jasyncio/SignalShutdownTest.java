package io.jasyncio;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real signals ({@code kill -s NAME PID}) sent to a child JVM running {@link SignalChild}: loop
 * handlers, the runner's SIGINT rule, the JVM's behaviour once a handler is gone. Each child is
 * bounded: 20 s per expected line or exit, and killed at the end of the test.
 */
@Timeout(90)
class SignalShutdownTest {
    private static final long WAIT_SECONDS = 20;
    private Child child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.process.destroyForcibly();
        }
    }

    /** A child JVM, its stdout as lines, its stderr in a file. */
    static final class Child {
        final Process process;
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> seen = new ArrayList<>();
        final Path stderr;
        final Thread reader;

        Child(List<String> jvmOptions, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
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
            cmd.add(SignalChild.class.getName());
            cmd.addAll(List.of(args));
            stderr = Files.createTempFile("signal-child", ".err");
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

        /** Reads lines until {@code line}; fails after the wait. */
        void expect(String line) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            for (;;) {
                String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) {
                    fail("no line '" + line + "' from the child; it said " + seen + ", stderr: " + stderrText());
                }
                seen.add(l);
                if (l.equals(line)) {
                    return;
                }
            }
        }

        void kill(String signal) throws Exception {
            Process k = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid())).inheritIO().start();
            assertTrue(k.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -s " + signal);
        }

        /** Waits for the exit and returns the status; the rest of stdout goes to {@link #seen}. */
        int exit() throws Exception {
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                fail("the child did not exit; it said " + seen + lines + ", stderr: " + stderrText());
            }
            reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));   // the rest of the pipe, up to EOF
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
    }

    private Child start(String... args) throws IOException {
        child = new Child(List.of(), args);
        return child;
    }

    @Test
    void loopHandlersRunOnTheLoopInTheirRegistrationContext() throws Exception {
        Child c = start("handlers");
        c.expect("ready");
        c.kill("HUP");
        c.expect("HUP on loop=true who=registrar");
        c.kill("TERM");
        c.expect("TERM");
        c.expect("removed true true");
        assertEquals(0, c.exit(), c.seen.toString());
        assertTrue(c.seen.contains("exit 0"), c.seen.toString());
    }

    @Test
    void sigintUnwindsTheTaskGroupThenRunThrowsKeyboardInterrupt() throws Exception {
        Child c = start("group");
        c.expect("ready");
        c.kill("INT");
        c.expect("KeyboardInterruptException cause=CancelledError");
        assertEquals(130, c.exit(), c.seen.toString());
        assertTrue(c.seen.containsAll(List.of("finally child-0", "finally child-1", "finally main")), c.seen.toString());
        assertTrue(c.seen.indexOf("finally main") > c.seen.indexOf("finally child-0"), c.seen.toString());
        assertTrue(c.seen.contains("shutdown hook"), c.seen.toString());
    }

    @Test
    void anUncaughtKeyboardInterruptEndsMainWithStatus1() throws Exception {
        Child c = start("group", "uncaught");
        c.expect("ready");
        c.kill("INT");
        c.expect("KeyboardInterruptException cause=CancelledError");
        assertEquals(1, c.exit(), c.seen.toString());
        assertTrue(c.stderrText().contains("io.jasyncio.KeyboardInterruptException: interrupted by SIGINT"), c.stderrText());
    }

    @Test
    void aSecondSigintWhileUnwindingExitsWith130() throws Exception {
        Child c = start("stubborn");
        c.expect("ready");
        c.kill("INT");
        c.expect("unwinding");
        c.kill("INT");
        assertEquals(130, c.exit(), c.seen.toString());
        assertTrue(c.seen.contains("shutdown hook"), c.seen.toString());
        assertFalse(c.seen.contains("never"), c.seen.toString());
    }

    @Test
    void optedOutTheFirstSigintExitsAtOnce() throws Exception {
        child = new Child(List.of("-Djasyncio.sigint=false"), "group");
        Child c = child;
        c.expect("ready");
        c.kill("INT");
        assertEquals(130, c.exit(), c.seen.toString());
        assertFalse(c.seen.contains("finally main"), c.seen.toString());
    }

    @Test
    void aRemovedHandlerLeavesTermToTheJvm() throws Exception {
        Child c = start("removed");
        c.expect("removed true");
        c.expect("ready");
        c.kill("TERM");
        assertEquals(143, c.exit(), c.seen.toString());
        assertFalse(c.seen.contains("TERM handled"), c.seen.toString());
    }

    @Test
    void aClosedLoopLeavesTermToTheJvm() throws Exception {
        Child c = start("closed");
        c.expect("ready");
        c.kill("TERM");
        assertEquals(143, c.exit(), c.seen.toString());
        assertFalse(c.seen.contains("TERM handled"), c.seen.toString());
    }

    @Test
    void aLoopThatHandlesSigintItselfIsLeftAlone() throws Exception {
        Child c = start("own-int");
        c.expect("ready");
        c.kill("INT");
        c.expect("my INT");
        c.expect("returned");
        assertEquals(0, c.exit(), c.seen.toString());
    }

    @Test
    void aMainTaskThatAbsorbsTheCancellationEndsNormally() throws Exception {
        Child c = start("absorbed");
        c.expect("ready");
        c.kill("INT");
        c.expect("absorbed");
        assertEquals(0, c.exit(), c.seen.toString());
    }
}
