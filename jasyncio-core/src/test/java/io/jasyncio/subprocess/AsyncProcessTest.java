package io.jasyncio.subprocess;

import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.Task;
import io.jasyncio.streams.LimitOverrunException;
import io.jasyncio.streams.StreamWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The application layer: AsyncProcess with its pipes as streams. */
@Timeout(30)
class AsyncProcessTest {

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static AsyncProcess exec(SubprocessOptions o, String... args) throws IOException {
        return Subprocess.createSubprocessExec(List.of(args), o);
    }

    static SubprocessOptions.Builder opts() {
        return SubprocessOptions.builder();
    }

    @Test
    void catEchoesLineByLine() {
        Procs.run(() -> {
            AsyncProcess p = exec(SubprocessOptions.PIPES, "cat");
            StreamWriter in = p.stdin();
            in.write(bytes("hello\n"));
            in.drain();
            assertEquals("hello\n", text(p.stdout().readline()));
            in.write(bytes("world\n"));
            in.close();
            in.waitClosed();
            assertEquals("world\n", text(p.stdout().readline()));
            assertEquals(0, p.stdout().read(-1).length);
            assertTrue(p.stdout().atEof());
            assertEquals(0, p.waitFor());
            assertEquals(0, p.returncode());
            assertTrue(p.pid() > 0);
            return null;
        });
    }

    @Test
    void execPassesArgumentsAsIsAndShellInterpretsTheLine() {
        Procs.run(() -> {
            SubprocessOptions o = opts().stdout(Stdio.PIPE).build();
            AsyncProcess a = exec(o, "echo", "a  b", "$HOME");
            assertEquals("a  b $HOME\n", a.communicate().stdoutText());
            AsyncProcess b = Subprocess.createSubprocessShell("echo $((1 + 2)) | tr 3 x", o);
            assertEquals("x\n", b.communicate().stdoutText());
            assertEquals(0, b.returncode());
            return null;
        });
    }

    @Test
    void communicateWritesTheInputAndReadsBothPipes() {
        Procs.run(() -> {
            byte[] input = new byte[3_000_000];
            new Random(7).nextBytes(input);
            AsyncProcess p = exec(SubprocessOptions.PIPES, "sh", "-c", "cat; echo done >&2");
            CommunicateResult r = p.communicate(input);
            assertArrayEquals(input, r.stdout());
            assertEquals("done\n", r.stderrText());
            assertEquals(0, p.returncode());
            assertEquals(r, p.collectedOutput());
            // The pipes are at their end: a second call gives the same result at once.
            assertEquals(r, p.communicate());
            assertThrows(IllegalStateException.class, () -> p.communicate(bytes("again")));
            return null;
        });
    }

    @Test
    void fiftyMegabytesOnBothPipesAtOnceDoNotDeadlock() {
        Procs.run(() -> {
            SubprocessOptions o = opts().stdout(Stdio.PIPE).stderr(Stdio.PIPE).build();
            AsyncProcess p = Subprocess.createSubprocessShell(
                    "head -c 50000000 /dev/zero >&2 & head -c 50000000 /dev/zero; wait", o);
            CommunicateResult r = p.communicate();
            assertEquals(50_000_000, r.stdout().length);
            assertEquals(50_000_000, r.stderr().length);
            assertEquals(0, p.returncode());
            return null;
        });
    }

    @Test
    void stderrMergesIntoStdout() {
        Procs.run(() -> {
            SubprocessOptions o = opts().stdout(Stdio.PIPE).stderr(Stdio.STDOUT).build();
            AsyncProcess p = Subprocess.createSubprocessShell("echo out; echo err >&2; echo out2", o);
            assertNull(p.stderr());
            CommunicateResult r = p.communicate();
            assertEquals("out\nerr\nout2\n", r.stdoutText());
            assertNull(r.stderr());
            return null;
        });
    }

    @Test
    void devnullGivesEofAndDiscardsOutput() {
        Procs.run(() -> {
            AsyncProcess a = exec(opts().stdin(Stdio.DEVNULL).stdout(Stdio.PIPE).build(), "cat");
            assertNull(a.stdin());
            assertEquals(new CommunicateResult(new byte[0], null), a.communicate());
            AsyncProcess b = Subprocess.createSubprocessShell("echo lost; echo kept >&2",
                    opts().stdout(Stdio.DEVNULL).stderr(Stdio.PIPE).build());
            assertNull(b.stdout());
            assertEquals("kept\n", b.communicate().stderrText());
            assertThrows(IllegalStateException.class, () -> b.communicate(bytes("x")), "no stdin pipe");
            return null;
        });
    }

    @Test
    void returnCodes() {
        Procs.run(() -> {
            SubprocessOptions o = opts().stdin(Stdio.DEVNULL).build();
            assertEquals(42, Subprocess.createSubprocessShell("exit 42", o).waitFor());
            assertEquals(1, exec(o, "false").waitFor());
            AsyncProcess p = Subprocess.createSubprocessExec("true"); // inherits stdin, stdout and stderr
            assertNull(p.stdin());
            assertNull(p.stdout());
            assertEquals(0, p.waitFor());
            assertEquals(0, p.waitFor(), "again, at once");
            assertEquals(new CommunicateResult(null, null), p.communicate());
            return null;
        });
    }

    @Test
    void terminateKillAndSendSignal() {
        List<String> sleep = Procs.withDefaultSignals(new int[] {1, 15}, "sleep", "30"); // even if this JVM ignores HUP (nohup)
        Procs.run(() -> {
            SubprocessOptions o = opts().stdin(Stdio.DEVNULL).build();
            AsyncProcess a = Subprocess.createSubprocessExec(sleep, o);
            Procs.awaitDefaultSignals(a.pid());
            a.terminate();
            assertEquals(-15, a.waitFor());
            AsyncProcess b = Subprocess.createSubprocessExec(sleep, o);
            b.kill();
            assertEquals(-9, b.waitFor());
            AsyncProcess c = Subprocess.createSubprocessExec(sleep, o);
            Procs.awaitDefaultSignals(c.pid());
            c.sendSignal("SIGHUP");
            assertEquals(-1, c.waitFor());
            assertEquals("AsyncProcess[pid=" + c.pid() + ", returncode=-1]", c.toString());
            return null;
        });
    }

    @Test
    void sendSignalDeliversToAHandler() {
        Procs.run(() -> {
            AsyncProcess p = Subprocess.createSubprocessShell(
                    "trap 'echo got USR1; exit 3' USR1; echo ready; while :; do sleep 0.02; done",
                    opts().stdin(Stdio.DEVNULL).stdout(Stdio.PIPE).build());
            assertEquals("ready\n", text(p.stdout().readline()));
            p.sendSignal("usr1");
            assertEquals("got USR1\n", text(p.stdout().readline()));
            assertEquals(3, p.waitFor(), "it exited by itself: no -signum");
            return null;
        });
    }

    @Test
    void cancellingCommunicateKeepsWhatWasRead() {
        Procs.run(() -> {
            AsyncProcess p = Subprocess.createSubprocessShell("echo first; echo oops >&2; exec sleep 30",
                    opts().stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE).build());
            Task<CommunicateResult> t = Asyncio.createTask(() -> p.communicate(bytes("ignored by sh -c")));
            while (p.collectedOutput().stdout().length < 6 || p.collectedOutput().stderr().length < 5) {
                Asyncio.sleep(0.01);
            }
            t.cancel();
            assertThrows(CancelledError.class, t::await);
            assertNull(p.returncode(), "cancelling communicate does not stop the child");
            assertEquals("first\n", p.collectedOutput().stdoutText());
            assertEquals("oops\n", p.collectedOutput().stderrText());
            p.kill();
            CommunicateResult all = p.communicate();
            assertEquals("first\n", all.stdoutText());
            assertEquals("oops\n", all.stderrText());
            assertEquals(-9, p.returncode());
            return null;
        });
    }

    @Test
    void aTimedOutCommunicateThenKillThenCommunicateGetsEverything() {
        Procs.run(() -> {
            AsyncProcess p = Subprocess.createSubprocessShell("cat; echo bye; exec sleep 30",
                    opts().stdin(Stdio.PIPE).stdout(Stdio.PIPE).build());
            byte[] input = new byte[200_000];
            Arrays.fill(input, (byte) 'x');
            assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(0.3).run(() -> p.communicate(input)));
            p.kill();
            CommunicateResult r = p.communicate();
            assertEquals(200_000 + 4, r.stdout().length, "the input went through cat, then bye");
            assertEquals("bye\n", text(Arrays.copyOfRange(r.stdout(), 200_000, r.stdout().length)));
            assertEquals(-9, p.returncode());
            return null;
        });
    }

    @Test
    void theInputOfACancelledCommunicateIsStillWrittenAndTheNextCallClosesStdin() {
        Procs.run(() -> {
            // The child reads nothing for a while: the first call waits in drain() when it times out.
            AsyncProcess p = Subprocess.createSubprocessShell("sleep 0.3; cat", SubprocessOptions.PIPES);
            byte[] input = new byte[1_000_000];
            new Random(3).nextBytes(input);
            assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(0.1).run(() -> p.communicate(input)));
            assertNull(p.returncode());
            CommunicateResult r = p.communicate();
            assertArrayEquals(input, r.stdout());
            assertEquals(0, p.returncode());
            return null;
        });
    }

    @Test
    void twoCommunicatesAtOnceAreRefused() {
        Procs.run(() -> {
            AsyncProcess p = exec(opts().stdout(Stdio.PIPE).stdin(Stdio.DEVNULL).build(), "sleep", "30");
            Task<CommunicateResult> t = Asyncio.createTask(() -> p.communicate());
            Asyncio.sleep(0);
            assertThrows(IllegalStateException.class, p::communicate);
            p.kill();
            assertEquals(new CommunicateResult(new byte[0], null), t.await());
            return null;
        });
    }

    @Test
    void cancellingWaitForLeavesTheChildRunning() {
        List<String> sleep = Procs.withDefaultSignals(new int[] {15}, "sleep", "30"); // it ends with SIGTERM
        Procs.run(() -> {
            AsyncProcess p = Subprocess.createSubprocessExec(sleep, opts().stdin(Stdio.DEVNULL).build());
            Procs.awaitDefaultSignals(p.pid());
            Task<Integer> w = Asyncio.createTask(p::waitFor);
            Task<Integer> other = Asyncio.createTask(p::waitFor);
            Asyncio.sleep(0.05);
            w.cancel();
            assertThrows(CancelledError.class, w::await);
            assertNull(Asyncio.moveOnAfter(0.1).run(() -> p.waitFor()), "still running");
            assertNull(p.returncode());
            assertTrue(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false));
            p.terminate();
            assertEquals(-15, other.await(), "the other waiter was not disturbed");
            assertEquals(-15, p.waitFor());
            return null;
        });
    }

    @Test
    void waitForReturnsAtExitAndTheOutputStaysReadable() {
        Procs.run(() -> {
            AsyncProcess p = exec(opts().stdout(Stdio.PIPE).build(), "echo", "still here");
            assertEquals(0, p.waitFor());
            assertEquals("still here\n", text(p.stdout().read(-1)));
            return null;
        });
    }

    @Test
    void noZombieNoOrphanAndNoPipeThreadOnceTheProcessIsDroppedAndTheLoopClosed() throws Exception {
        long[] pids = Procs.run(() -> {
            long quick = exec(opts().stdout(Stdio.PIPE).build(), "echo", "unread").pid();
            AsyncProcess slow = exec(SubprocessOptions.PIPES, "sleep", "30");
            slow.stdin().write(new byte[1_000_000]); // the writer thread blocks on the full pipe
            long idle = exec(SubprocessOptions.PIPES, "sleep", "30").pid(); // its writer thread waits for data
            return new long[] {quick, slow.pid(), idle};
        });
        assertEquals("gone", Procs.awaitGone(pids[0], 5), "reaped, not a zombie");
        assertEquals("gone", Procs.awaitGone(pids[1], 5), "killed once its loop closed, then reaped");
        assertEquals("gone", Procs.awaitGone(pids[2], 5), "killed once its loop closed, then reaped");
        long end = System.nanoTime() + 5_000_000_000L;
        List<String> left;
        do {
            Thread.sleep(20);
            left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> Arrays.stream(pids).anyMatch(pid -> n.startsWith("jasyncio-pipe-" + pid + "-")))
                    .toList();
        } while (!left.isEmpty() && System.nanoTime() < end);
        assertEquals(List.of(), left, "every pipe thread ended");
    }

    @Test
    void outputNobodyReadsHoldsTheChildBackAndMemoryStaysBounded() {
        Procs.run(() -> {
            AsyncProcess p = exec(opts().stdout(Stdio.PIPE).limit(16 * 1024).build(), "head", "-c", "20000000", "/dev/zero");
            Asyncio.sleep(0.3);
            assertNull(p.returncode(), "blocked on the full pipe");
            int buffered = p.stdout().buffered();
            assertTrue(buffered > 0 && buffered <= 2 * 16 * 1024 + 64 * 1024, "buffered " + buffered);
            long total = 0;
            byte[] b;
            while ((b = p.stdout().read(1 << 20)).length > 0) {
                total += b.length;
            }
            assertEquals(20_000_000, total);
            assertEquals(0, p.waitFor());
            return null;
        });
    }

    @Test
    void writingToAChildThatExitedIsABrokenPipe() {
        Procs.run(() -> {
            AsyncProcess p = exec(opts().stdin(Stdio.PIPE).stdout(Stdio.PIPE).build(), "head", "-c", "1");
            byte[] chunk = new byte[64 * 1024];
            IOException e = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 10_000; i++) {
                    p.stdin().write(chunk);
                    p.stdin().drain();
                }
            });
            assertInstanceOf(BrokenPipeException.class, e);
            assertTrue(e.getMessage().contains("stdin"), e.getMessage());
            assertEquals(0, p.waitFor());
            assertEquals(1, p.stdout().read(-1).length);
            assertThrows(BrokenPipeException.class, () -> p.stdin().drain(), "and again, at once");

            // communicate() ignores the broken pipe, as asyncio's does.
            AsyncProcess q = exec(opts().stdin(Stdio.PIPE).stdout(Stdio.PIPE).build(), "head", "-c", "3");
            CommunicateResult r = q.communicate(new byte[5_000_000]);
            assertEquals(3, r.stdout().length);
            assertEquals(0, q.returncode());
            return null;
        });
    }

    @Test
    void environmentAndWorkingDirectory(@TempDir Path dir) {
        Procs.run(() -> {
            SubprocessOptions replaced = opts().stdout(Stdio.PIPE).env(Map.of("ONLY", "this")).build();
            assertEquals("ONLY=this\n", exec(replaced, "/usr/bin/env").communicate().stdoutText());

            SubprocessOptions added = opts().stdout(Stdio.PIPE).putEnv("JASYNCIO_X", "y z").build();
            String out = Subprocess.createSubprocessShell("echo \"$JASYNCIO_X\"; echo ${PATH:+has path}", added)
                    .communicate().stdoutText();
            assertEquals("y z\nhas path\n", out);

            SubprocessOptions inDir = opts().stdout(Stdio.PIPE).cwd(dir).build();
            assertEquals(dir.toRealPath() + "\n", exec(inDir, "pwd").communicate().stdoutText());
            return null;
        });
    }

    @Test
    void filesAsStdinAndStdout(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.txt");
        Path out = dir.resolve("out.txt");
        Files.writeString(in, "from a file\n");
        Procs.run(() -> {
            SubprocessOptions o = opts().stdin(Stdio.file(in)).stdout(Stdio.file(out)).build();
            assertEquals(0, exec(o, "cat").waitFor());
            SubprocessOptions again = opts().stdin(Stdio.file(in)).stdout(Stdio.append(out)).build();
            assertEquals(0, exec(again, "cat").waitFor());
            return null;
        });
        assertEquals("from a file\nfrom a file\n", Files.readString(out));
    }

    @Test
    void theLimitReachesTheReaders() {
        Procs.run(() -> {
            AsyncProcess p = Subprocess.createSubprocessShell("echo 0123456789abcdef; echo ok",
                    opts().stdout(Stdio.PIPE).limit(8).build());
            assertEquals(8, p.stdout().limit());
            assertThrows(LimitOverrunException.class, () -> p.stdout().readline());
            p.waitFor();
            return null;
        });
    }

    @Test
    void worksOnVirtualTime() {
        Procs.runVirtual(() -> {
            AsyncProcess p = Subprocess.createSubprocessShell("sleep 0.1; echo done",
                    opts().stdout(Stdio.PIPE).build());
            assertEquals("done\n", Asyncio.timeout(5).run(() -> p.communicate()).stdoutText());
            return null;
        });
    }

    @Test
    void optionsAreCheckedAndImmutable() {
        assertThrows(IllegalArgumentException.class, () -> opts().stdout(Stdio.STDOUT).build());
        assertThrows(IllegalArgumentException.class, () -> opts().stdin(Stdio.append(Path.of("x"))).build());
        assertThrows(IllegalArgumentException.class, () -> opts().limit(0).build());
        SubprocessOptions o = opts().putEnv("A", "1").build();
        assertThrows(UnsupportedOperationException.class, () -> o.extraEnv().put("B", "2"));
        assertEquals(o, o.toBuilder().build());
        assertEquals(Stdio.INHERIT, SubprocessOptions.DEFAULTS.stdout());
        assertNotNull(SubprocessOptions.PIPES.toString());
    }
}
