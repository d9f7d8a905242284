package io.jasyncio;

import io.jasyncio.sync.Event;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * add_signal_handler / remove_signal_handler and the runner's SIGINT rule, in this JVM, with
 * signals raised by {@code sun.misc.Signal.raise}. Only signals whose default action is harmless
 * are raised here without a handler of ours installed (WINCH and URG are ignored by default);
 * SIGINT and SIGHUP are raised only over a safety-net handler, so a bug cannot end the test JVM.
 * {@link SignalShutdownTest} sends real signals to a child JVM.
 */
class SignalHandlerTest {

    /** Waits (on the loop, in real time) for {@code e}; a signal is delivered by another thread. */
    private static void awaitDelivery(Event e) {
        Asyncio.timeout(20).run(() -> {
            e.await();
            return null;
        });
    }

    @Test
    void theCallbackRunsOnTheLoopInTheContextOfItsRegistration() {
        ContextVar<String> who = new ContextVar<>("who", "none");
        List<String> seen = new ArrayList<>();
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Event got = new Event();
            who.set("registrar");
            loop.addSignalHandler("WINCH", () -> {
                seen.add("on loop " + loop.isOnLoop() + ", in a task " + (loop.currentTask() != null) + ", who=" + who.get());
                got.set();
            });
            who.set("changed after");
            Signal.raise(new Signal("WINCH"));
            awaitDelivery(got);
            assertTrue(loop.removeSignalHandler("WINCH"));
        });
        assertEquals(List.of("on loop true, in a task false, who=registrar"), seen);
    }

    @Test
    void addingAgainReplacesTheCallback() {
        List<String> seen = new ArrayList<>();
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Event got = new Event();
            loop.addSignalHandler("WINCH", () -> seen.add("first"));
            loop.addSignalHandler("sigwinch", () -> {
                seen.add("second");
                got.set();
            });
            Signal.raise(new Signal("WINCH"));
            awaitDelivery(got);
            assertTrue(loop.removeSignalHandler("SIGWINCH"));
            assertFalse(loop.removeSignalHandler("WINCH"), "removed already");
            assertFalse(loop.removeSignalHandler("URG"), "never added");
        });
        assertEquals(List.of("second"), seen);
    }

    @Test
    void removingRestoresTheHandlerFromBefore() throws Exception {
        Signal urg = new Signal("URG");
        AtomicInteger raw = new AtomicInteger();
        CompletableFuture<Void> rawSaw = new CompletableFuture<>();
        SignalHandler before = Signal.handle(urg, s -> {
            raw.incrementAndGet();
            rawSaw.complete(null);
        });
        try {
            Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                Event got = new Event();
                loop.addSignalHandler("URG", got::set);
                Signal.raise(urg);
                awaitDelivery(got);
                assertEquals(0, raw.get(), "the loop's handler replaced the raw one");
                assertTrue(loop.removeSignalHandler("URG"));
            });
            Signal.raise(urg);
            rawSaw.get(20, TimeUnit.SECONDS);
            assertEquals(1, raw.get());
        } finally {
            Signal.handle(urg, before);
        }
    }

    @Test
    void closingTheLoopRemovesItsHandlers() {
        EventLoop loop = EventLoop.newEventLoop();
        loop.addSignalHandler("WINCH", () -> { });
        loop.addSignalHandler("URG", () -> { });
        assertSame(loop, Signals.owner("WINCH"));
        loop.close();
        assertNull(Signals.owner("WINCH"));
        assertNull(Signals.owner("URG"));
        assertFalse(loop.removeSignalHandler("WINCH"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.addSignalHandler("WINCH", () -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void oneLoopOwnsASignal() {
        EventLoop a = EventLoop.newEventLoop();
        EventLoop b = EventLoop.newEventLoop();
        try {
            a.addSignalHandler("WINCH", () -> { });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.addSignalHandler("WINCH", () -> { }));
            assertTrue(e.getMessage().contains("SIGWINCH is already handled by " + a), e.getMessage());
            assertFalse(b.removeSignalHandler("WINCH"), "b does not own it");
            assertSame(a, Signals.owner("WINCH"));
            assertTrue(a.removeSignalHandler("WINCH"));
            b.addSignalHandler("WINCH", () -> { });
            assertSame(b, Signals.owner("WINCH"));
        } finally {
            a.close();
            b.close();
        }
        assertNull(Signals.owner("WINCH"));
    }

    @Test
    void unknownAndReservedSignalsAreRefused() {
        EventLoop loop = EventLoop.newEventLoop();
        try {
            for (String name : List.of("FOO", "SIG", "", "KILL", "SIGSTOP", "SEGV", "USR2", "BUS", "PIPE")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> loop.addSignalHandler(name, () -> { }), name);
                assertTrue(e.getMessage().contains("SIG") || e.getMessage().contains("signal"), e.getMessage());
            }
            IllegalArgumentException quit = assertThrows(IllegalArgumentException.class, () -> loop.addSignalHandler("QUIT", () -> { }));
            assertTrue(quit.getMessage().contains("thread dump"), quit.getMessage());
            IllegalArgumentException usr2 = assertThrows(IllegalArgumentException.class, () -> loop.addSignalHandler("usr2", () -> { }));
            assertTrue(usr2.getMessage().contains("native"), usr2.getMessage());
            assertThrows(NullPointerException.class, () -> loop.addSignalHandler("WINCH", null));
        } finally {
            loop.close();
        }
    }

    @Test
    void anotherThreadCannotAddWhileTheLoopRuns() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Throwable t = Asyncio.toThread(() -> {
                try {
                    loop.addSignalHandler("WINCH", () -> { });
                    return (Throwable) null;
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            assertInstanceOf(IllegalStateException.class, t);
            assertNull(Signals.owner("WINCH"));
        });
    }

    @Test
    void sighupWithAHandlerInstalled() {
        assumeNotIgnored();
        AtomicInteger net = new AtomicInteger();
        Signal hup = new Signal("HUP");
        SignalHandler before = Signal.handle(hup, s -> net.incrementAndGet());   // the safety net
        try {
            AtomicInteger calls = new AtomicInteger();
            Asyncio.run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                Event got = new Event();
                loop.addSignalHandler("HUP", () -> {
                    calls.incrementAndGet();
                    got.set();
                });
                Signal.raise(hup);
                awaitDelivery(got);
                got.clear();
                Signal.raise(hup);
                awaitDelivery(got);
                assertTrue(loop.removeSignalHandler("HUP"));
            });
            assertEquals(2, calls.get());
            assertEquals(0, net.get());
        } finally {
            Signal.handle(hup, before);
        }
    }

    // ------------------------------------------------------------------ the runner and SIGINT

    /**
     * The JVM keeps a shutdown signal ignored if this process started with it ignored (a
     * non-interactive shell's background job ignores SIGINT; nohup, SIGHUP): tests that raise one
     * are then skipped.
     */
    private static void assumeNotIgnored() {
        org.junit.jupiter.api.Assumptions.assumeFalse(ChildJvm.shutdownSignalsIgnored(),
                "this process ignores SIGINT, SIGTERM or SIGHUP; the JVM will not handle them");
    }

    /** Runs {@code body} with a counting handler on SIGINT, so a raised SIGINT can never end the JVM. */
    private static void withSigintNet(java.util.function.Consumer<AtomicInteger> body) {
        assumeNotIgnored();
        AtomicInteger net = new AtomicInteger();
        Signal sigint = new Signal("INT");
        SignalHandler before = Signal.handle(sigint, s -> net.incrementAndGet());
        try {
            body.accept(net);
        } finally {
            Signal.handle(sigint, before);
        }
    }

    private static void waitFor(AtomicInteger n, int value) {
        for (int i = 0; i < 2000 && n.get() < value; i++) {
            Asyncio.sleep(0.01);
        }
        assertEquals(value, n.get());
    }

    @Test
    void theFirstSigintCancelsTheMainTaskAndRunThrowsKeyboardInterrupt() {
        withSigintNet(net -> {
            List<String> seen = new ArrayList<>();
            KeyboardInterruptException e = assertThrows(KeyboardInterruptException.class,
                    () -> new Runner().cancelOnSigint(true).run(() -> {
                        assertEquals(1, Signals.runnerClaims());
                        try {
                            TaskGroup.run(g -> {
                                g.createTask(() -> {
                                    try {
                                        Asyncio.sleep(3600);
                                    } finally {
                                        seen.add("child unwound");
                                    }
                                });
                                Asyncio.sleep(0);
                                Signal.raise(new Signal("INT"));
                                Asyncio.sleep(3600);
                            });
                        } finally {
                            seen.add("main unwound");
                        }
                    }));
            assertInstanceOf(CancelledError.class, e.getCause());
            assertEquals("interrupted by SIGINT", e.getCause().getMessage());
            assertEquals(130, e.exitStatus());
            assertEquals(List.of("child unwound", "main unwound"), seen);
            assertEquals(0, net.get(), "the runner had SIGINT");
            assertEquals(0, Signals.runnerClaims(), "and gave it back");
        });
    }

    @Test
    void aSecondSigintWhileUnwindingGoesToTheHandlerFromBefore() {
        withSigintNet(net -> {
            assertThrows(KeyboardInterruptException.class, () -> new Runner().cancelOnSigint(true).run(() -> {
                try {
                    Signal.raise(new Signal("INT"));
                    Asyncio.sleep(3600);
                } finally {
                    Signal.raise(new Signal("INT"));
                    waitFor(net, 1);                      // the JVM's handler would have exited with 130
                    assertEquals(0, Signals.runnerClaims());
                }
            }));
        });
    }

    @Test
    void aMainTaskThatAbsorbsTheCancellationReturnsNormally() {
        withSigintNet(net -> {
            String r = new Runner().cancelOnSigint(true).run(() -> {
                try {
                    Signal.raise(new Signal("INT"));
                    Asyncio.sleep(3600);
                    return "slept";
                } catch (CancelledError e) {
                    Asyncio.currentTask().uncancel();
                    return "absorbed";
                }
            });
            assertEquals("absorbed", r);
        });
    }

    @Test
    void aCancellationThatIsNotTheSignalsStaysACancellation() {
        withSigintNet(net -> {
            assertThrows(CancelledError.class, () -> new Runner().cancelOnSigint(true).run(() -> {
                Asyncio.currentTask().cancel("by hand");
                Asyncio.sleep(1);
            }));
        });
    }

    @Test
    void aLoopHandlerForSigintTakesOverFromTheRunner() {
        withSigintNet(net -> {
            List<String> seen = new ArrayList<>();
            String r = new Runner().cancelOnSigint(true).run(() -> {
                EventLoop loop = Asyncio.getRunningLoop();
                assertEquals(1, Signals.runnerClaims());
                Event got = new Event();
                loop.addSignalHandler("INT", () -> {
                    seen.add("loop's INT");
                    got.set();
                });
                assertEquals(0, Signals.runnerClaims());
                Signal.raise(new Signal("INT"));
                awaitDelivery(got);
                assertTrue(loop.removeSignalHandler("INT"));
                Signal.raise(new Signal("INT"));       // back to what was there before the runner
                waitFor(net, 1);
                return "not cancelled";
            });
            assertEquals("not cancelled", r);
            assertEquals(List.of("loop's INT"), seen);
        });
    }

    @Test
    void whoClaimsSigintByDefault() throws Exception {
        assumeNotIgnored();
        AtomicReference<Integer> onWorker = new AtomicReference<>();
        AtomicReference<Integer> onMain = new AtomicReference<>();
        AtomicReference<Integer> onMainOptedOut = new AtomicReference<>();
        Thread w = Thread.ofPlatform().name("worker").start(() -> onWorker.set(Asyncio.run(Signals::runnerClaims)));
        w.join();
        Thread m = Thread.ofPlatform().name("main").start(() -> {
            onMain.set(Asyncio.run(Signals::runnerClaims));
            onMainOptedOut.set(new Runner().cancelOnSigint(false).run(Signals::runnerClaims));
        });
        m.join();
        assertEquals(0, onWorker.get(), "not the main thread");
        assertEquals(1, onMain.get(), "the main thread");
        assertEquals(0, onMainOptedOut.get(), "opted out");
        String old = System.getProperty("jasyncio.sigint");
        System.setProperty("jasyncio.sigint", "false");
        try {
            Thread m2 = Thread.ofPlatform().name("main").start(() -> onMain.set(Asyncio.run(Signals::runnerClaims)));
            m2.join();
            assertEquals(0, onMain.get(), "-Djasyncio.sigint=false");
        } finally {
            if (old == null) {
                System.clearProperty("jasyncio.sigint");
            } else {
                System.setProperty("jasyncio.sigint", old);
            }
        }
    }
}
