package io.jasyncio;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.jasyncio.net.Protocol;
import io.jasyncio.net.Server;
import io.jasyncio.net.Transport;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.Streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loop that cannot wedge: errors that are not exceptions, escaping user code or the loop's own
 * machinery, are reported and either survived or turned into a clean stop; never a hang.
 */
@Timeout(120)
class LoopRobustnessTest {
    private ChildJvm child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.process.destroyForcibly();
        }
    }

    /**
     * A server run under {@code ulimit -n 64} and flooded with connections past the limit: it
     * still serves once the flood is gone, and SIGTERM still stops it in order.
     */
    @Test
    void aServerFloodedPastItsFileDescriptorLimitKeepsServingAndStopsOnSigterm() throws Exception {
        child = new ChildJvm(ChildJvm.withFdLimit(64), WedgeChild.class, List.of());
        String ready = child.expect("ready *");
        int port = Integer.parseInt(ready.substring("ready ".length()));
        List<Socket> flood = new ArrayList<>();
        try {
            int failedInARow = 0;
            for (int i = 0; i < 200 && failedInARow < 3; i++) {
                Socket s = new Socket();
                flood.add(s);
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 300);
                    s.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
                    failedInARow = 0;
                } catch (IOException refusedOrReset) {
                    failedInARow++;   // the backlog is full while the child has no descriptors left
                }
            }
            assertTrue(flood.size() > 64, "the flood went past the child's limit: " + flood.size());
            Thread.sleep(1500);   // let the child run out of descriptors and meet its failures
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        assertEquals("echo hello", exchange(port, "hello"), child.stderrText());
        child.kill("TERM");
        child.expect("stopped");
        assertEquals(0, child.exit(), child.seen.toString());
        assertTrue(child.seen.contains("handler: socket.accept() out of system resource / java.io.IOException"),
                "the exhaustion went through the exception handler: " + child.seen + child.stderrText());
        System.out.println("child said: " + child.seen + "\nstderr: " + child.stderrText());
    }

    /**
     * SIGTERM to a process whose loop is wedged (a task blocks it for good) ends it anyway: the
     * handler's callback has not started within the grace period, so the signal gets the JVM's
     * handling (exit 143), and the log says what held the loop.
     */
    @Test
    void sigtermEndsAProcessWhoseLoopIsWedgedAfterTheGracePeriod() throws Exception {
        child = new ChildJvm(WedgeChild.class, List.of("-Djasyncio.signalGrace=1"), "wedged");
        child.expect("wedged");
        child.kill("TERM");
        assertEquals(143, child.exit(), child.seen + child.stderrText());
        assertFalse(child.seen.contains("TERM handler ran"), child.seen.toString());
        assertTrue(child.stderrText().contains("did not start its handler within 1.000 s"), child.stderrText());
        assertTrue(child.stderrText().contains("Thread.sleep"), "the log shows what holds the loop: " + child.stderrText());
    }

    /** The runner's SIGINT (cancel the main task) on a wedged loop: the JVM's handling after the grace period. */
    @Test
    void sigintEndsAProcessWhoseRunnerLoopIsWedgedAfterTheGracePeriod() throws Exception {
        child = new ChildJvm(WedgeChild.class, List.of("-Djasyncio.signalGrace=1"), "wedged-runner");
        child.expect("wedged");
        child.kill("INT");
        assertEquals(130, child.exit(), child.seen + child.stderrText());
        assertTrue(child.stderrText().contains("did not start its handler within 1.000 s"), child.stderrText());
    }

    /** A second SIGINT, a second after the first, while the loop has not started its handler, ends the process at once. */
    @Test
    void aSecondSigintToAWedgedLoopEndsTheProcessAtOnce() throws Exception {
        child = new ChildJvm(WedgeChild.class, List.of("-Djasyncio.signalGrace=600"), "wedged");
        child.expect("wedged");
        child.kill("INT");
        Thread.sleep(1500);   // a second after the first: closer together, they would be two callbacks
        child.kill("INT");
        assertEquals(130, child.exit(), child.seen + child.stderrText());   // well within the 600 s grace
        assertTrue(child.stderrText().contains("SIGINT again"), child.stderrText());
    }

    /**
     * Out of descriptors before the loop first waits in its selector: the JDK's poller for virtual
     * threads, created on first use, must already exist, or every later select fails (in the
     * shared scheduling mode). Once the descriptors are back, the server serves.
     */
    @Test
    void aLoopThatFirstWaitsWithNoDescriptorLeftServesOnceTheyAreBack() throws Exception {
        child = new ChildJvm(ChildJvm.withFdLimit(64), WedgeChild.class, List.of(), "hog");
        child.expect("exhausted after *");
        String ready = child.expect("ready *");
        int port = Integer.parseInt(ready.substring("ready ".length()));
        assertEquals("echo hello", exchange(port, "hello"), child.stderrText());
        child.kill("TERM");
        child.expect("stopped");
        assertEquals(0, child.exit(), child.seen.toString());
    }

    /** Sends {@code text} on a fresh connection and reads the reply, retrying while the child recovers. */
    private String exchange(int port, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + ChildJvm.WAIT_SECONDS * 1_000_000_000L;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(text.getBytes(StandardCharsets.UTF_8));
                InputStream in = s.getInputStream();
                byte[] buf = new byte[256];
                int n = in.read(buf);
                if (n > 0) {
                    return new String(buf, 0, n, StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(200);
        }
        child.process.destroy();   // drain what it said after the lines the test waited for
        child.exit();
        throw new AssertionError("the child no longer serves; it said " + child.seen + ", stderr: " + child.stderrText(), last);
    }

    // ------------------------------------------------------------------ injected errors, in process

    /** A fresh loop whose exception handler records into {@code errors}. */
    private static EventLoop loop(Loops.Errors errors) {
        EventLoop l = EventLoop.newEventLoop();
        l.setExceptionHandler((x, c) -> errors.add(c));
        return l;
    }

    private static List<String> messages(Loops.Errors errors) {
        return errors.all().stream().map(ExceptionContext::message).toList();
    }

    @Test
    @Timeout(20)
    void anOutOfMemoryErrorInACallbackIsReportedThenTheLoopStopsAtOnceClosesAndRunThrowsIt() {
        Loops.Errors errors = new Loops.Errors();
        EventLoop loop = loop(errors);
        OutOfMemoryError oom = new OutOfMemoryError("injected");
        List<String> ran = new ArrayList<>();
        Task<Void> main = loop.createTask(() -> {
            loop.callSoon(() -> {
                throw oom;
            });
            loop.callSoon(() -> ran.add("the callback after it"));
            loop.<Void>createFuture().await();   // nothing would ever end this task
        });
        OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class, () -> loop.runUntilComplete(main));
        assertSame(oom, thrown);
        assertTrue(loop.isClosed(), "the loop closed itself");
        assertEquals(List.of(), ran, "nothing runs after the error in its iteration");
        ExceptionContext first = errors.all().get(0);
        assertSame(oom, first.exception());
        assertTrue(first.message().startsWith("Exception in callback ") && first.message().contains("cannot go on"), first.message());
        assertTrue(messages(errors).contains("Task was destroyed but it is pending!"), messages(errors).toString());
    }

    @Test
    @Timeout(20)
    void anOutOfMemoryErrorEndingABackgroundTaskFailsItThenStopsAndClosesTheLoop() {
        Loops.Errors errors = new Loops.Errors();
        EventLoop loop = loop(errors);
        OutOfMemoryError oom = new OutOfMemoryError("injected");
        Task<Void>[] background = new Task[1];
        Task<Void> main = loop.createTask(() -> {
            background[0] = Asyncio.createTask("allocator", () -> {
                Asyncio.sleep(0);
                throw oom;
            });
            loop.<Void>createFuture().await();
        });
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> loop.runUntilComplete(main)));
        assertTrue(loop.isClosed());
        assertSame(oom, background[0].exception());
        assertTrue(errors.all().get(0).message().contains("Task[allocator"), messages(errors).toString());
        assertSame(background[0], errors.all().get(0).future());
    }

    @Test
    @Timeout(20)
    void aRunnerGivesTheFatalErrorToTheCallerOfRun() {
        OutOfMemoryError oom = new OutOfMemoryError("injected");
        try (Runner r = new Runner(() -> {
            EventLoop l = EventLoop.newEventLoop();
            l.setExceptionHandler((x, c) -> { });
            return l;
        })) {
            assertSame(oom, assertThrows(OutOfMemoryError.class, () -> r.run(() -> {
                Asyncio.getRunningLoop().callSoon(() -> {
                    throw oom;
                });
                Asyncio.sleep(3600);
            })));
        }
    }

    /** Errors that unwind only the code that threw them: the task fails with each, the loop goes on. */
    @Test
    void errorsTheLoopCanGoOnAfterFailOnlyTheirTask() {
        Loops.run(() -> {
            List<Callable<Void>> bodies = List.of(
                    () -> {
                        throw new NoClassDefFoundError("injected/Missing");
                    },
                    () -> {
                        throw new AssertionError("injected");
                    },
                    () -> {
                        recurse(0);
                        return null;
                    });
            List<Class<?>> expected = List.of(NoClassDefFoundError.class, AssertionError.class, StackOverflowError.class);
            for (int i = 0; i < bodies.size(); i++) {
                Task<Void> t = Asyncio.createTask(bodies.get(i));
                Throwable e = assertThrows(Throwable.class, t::await);
                assertInstanceOf(expected.get(i), e);
                Asyncio.sleep(0.001);   // the loop goes on
            }
        });
    }

    private static int recurse(int n) {
        return recurse(n + 1) + 1;
    }

    @Test
    void aStackOverflowInACallbackIsReportedAndTheLoopGoesOn() {
        Loops.Errors errors = new Loops.Errors();
        Loops.run(errors, () -> {
            Asyncio.getRunningLoop().callSoon(() -> recurse(0));
            Asyncio.sleep(0.001);
            Asyncio.sleep(0.001);
            return null;
        });
        assertEquals(1, errors.all().size(), messages(errors).toString());
        assertInstanceOf(StackOverflowError.class, errors.all().get(0).exception());
    }

    /**
     * A protocol whose {@code dataReceived} throws {@link NoClassDefFoundError}: the error is
     * reported, that connection is closed (as asyncio's fatal error on a transport), and the server
     * serves the next one.
     */
    @Test
    void aNoClassDefFoundErrorInDataReceivedClosesThatConnectionOnlyAndIsReported() throws Exception {
        Loops.Errors errors = new Loops.Errors();
        List<Exception> lost = new ArrayList<>();
        Loops.runRealTime(errors, () -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Server srv = loop.createServer(() -> new Protocol() {
                private Transport transport;

                @Override
                public void connectionMade(Transport t) {
                    transport = t;
                }

                @Override
                public void dataReceived(byte[] data) {
                    if (data[0] == 'x') {
                        throw new NoClassDefFoundError("injected/Missing");
                    }
                    transport.write(data);
                }

                @Override
                public void connectionLost(Exception exc) {
                    lost.add(exc);
                }
            }, "127.0.0.1", 0);
            int port = ((InetSocketAddress) srv.sockets().get(0)).getPort();
            try (StreamConnection bad = Streams.openConnection("127.0.0.1", port)) {
                bad.writer().write(new byte[] {'x'});
                assertArrayEquals(new byte[0], Asyncio.waitFor(() -> bad.reader().read(10), 10), "closed by the server");
            }
            try (StreamConnection good = Streams.openConnection("127.0.0.1", port)) {
                good.writer().write(new byte[] {'o', 'k'});
                assertArrayEquals(new byte[] {'o', 'k'}, Asyncio.waitFor(() -> good.reader().read(10), 10));
            }
            srv.close();
            srv.waitClosed();
            return null;
        });
        assertEquals(1, errors.all().size(), messages(errors).toString());
        assertEquals("Fatal error: protocol.dataReceived() call failed.", errors.all().get(0).message());
        assertInstanceOf(NoClassDefFoundError.class, errors.all().get(0).exception());
        assertInstanceOf(NoClassDefFoundError.class, lost.get(0).getCause(), lost.toString());
    }

    /**
     * The JDK's poller for virtual threads, first started while a dedicated loop opens its
     * selector, still wakes virtual threads after that loop is gone: its sub-pollers are virtual
     * threads, which would otherwise inherit the loop's single carrier (every blocking socket call
     * of every virtual thread then hung once the loop closed).
     */
    @Test
    void theJdksPollerOutlivesTheLoopThatStartedIt() throws Exception {
        child = new ChildJvm(PollerChild.class, List.of());
        child.expect("loop closed");
        child.expect("read 42");
        assertEquals(0, child.exit(), child.stderrText());
    }

    /**
     * A protocol factory that throws an Error (its protocol class cannot load when descriptors run
     * out): the accepted socket is closed, not leaked, the failure is reported, and the server
     * goes on accepting.
     */
    @Test
    void anErrorFromTheProtocolFactoryClosesTheAcceptedSocketAndIsReported() throws Exception {
        Loops.Errors errors = new Loops.Errors();
        Loops.runRealTime(errors, () -> {
            EventLoop loop = Asyncio.getRunningLoop();
            int[] made = {0};
            Server srv = loop.createServer(() -> {
                if (made[0]++ == 0) {
                    throw new NoClassDefFoundError("injected/Missing");
                }
                return new Protocol() {
                    private Transport transport;

                    @Override
                    public void connectionMade(Transport t) {
                        transport = t;
                    }

                    @Override
                    public void dataReceived(byte[] data) {
                        transport.write(data);
                    }
                };
            }, "127.0.0.1", 0);
            int port = ((InetSocketAddress) srv.sockets().get(0)).getPort();
            try (StreamConnection bad = Streams.openConnection("127.0.0.1", port)) {
                assertArrayEquals(new byte[0], Asyncio.waitFor(() -> bad.reader().read(10), 10), "closed by the server");
            }
            try (StreamConnection good = Streams.openConnection("127.0.0.1", port)) {
                good.writer().write(new byte[] {'o', 'k'});
                assertArrayEquals(new byte[] {'o', 'k'}, Asyncio.waitFor(() -> good.reader().read(10), 10));
            }
            srv.close();
            srv.waitClosed();
            return null;
        });
        assertEquals(1, errors.all().size(), messages(errors).toString());
        assertEquals("Error on transport creation for incoming connection", errors.all().get(0).message());
        assertInstanceOf(NoClassDefFoundError.class, errors.all().get(0).exception());
    }

    /**
     * The loop's own machinery failing (here the virtual clock's stuck handler, which the loop
     * calls between iterations, on whichever thread drives it): reported, the loop stops and
     * closes, run throws; the thread holding the loop's turn does not take it to its grave.
     */
    @Test
    @Timeout(20)
    void anErrorInTheLoopsOwnMachineryStopsAndClosesTheLoopInsteadOfWedgingIt() {
        Loops.Errors errors = new Loops.Errors();
        VirtualClock clock = new VirtualClock();
        EventLoop loop = EventLoop.builder().clock(clock).build();
        loop.setExceptionHandler((x, c) -> errors.add(c));
        LinkageError injected = new NoClassDefFoundError("injected/Missing");
        clock.setOnStuck(l -> {
            throw injected;
        });
        Task<Void> main = loop.createTask(() -> {
            Asyncio.createTask("waiter", () -> loop.<Void>createFuture().await());
            loop.<Void>createFuture().await();
        });
        assertSame(injected, assertThrows(NoClassDefFoundError.class, () -> loop.runUntilComplete(main)));
        assertTrue(loop.isClosed());
        assertTrue(errors.all().get(0).message().startsWith("Unrecoverable error in "), messages(errors).toString());
        assertFalse(main.isDone());
    }
}
