package io.jasyncio;

import io.jasyncio.sync.Event;

/**
 * The program {@link SignalShutdownTest} runs in a child JVM and sends real signals to. It prints
 * what happens, one line at a time; "ready" means its handlers are in place.
 */
public final class SignalChild {
    private SignalChild() {
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> say("shutdown hook")));
        switch (args[0]) {
            case "handlers" -> handlers();
            case "group" -> group(args.length > 1 && args[1].equals("uncaught"));
            case "stubborn" -> stubborn();
            case "removed" -> removed();
            case "closed" -> closed();
            case "own-int" -> ownInt();
            case "absorbed" -> absorbed();
            case "xrs" -> xrs();
            case "interrupt-cancelled" -> interruptCancelled();
            case "interrupt-wait" -> interruptWait();
            case "interrupt-busy" -> interruptBusy();
            default -> throw new IllegalArgumentException(args[0]);
        }
        say("exit 0");
    }

    /** HUP and TERM handlers on the loop: HUP is reported, TERM ends main. */
    private static void handlers() {
        ContextVar<String> who = new ContextVar<>("who", "none");
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Event term = new Event();
            who.set("registrar");
            loop.addSignalHandler("HUP", () -> say("HUP on loop=" + loop.isOnLoop() + " who=" + who.get()));
            loop.addSignalHandler("SIGTERM", () -> {
                say("TERM");
                term.set();
            });
            who.set("changed later");
            say("ready");
            term.await();
            say("removed " + loop.removeSignalHandler("HUP") + " " + loop.removeSignalHandler("TERM"));
        });
    }

    /** A task group whose children sleep in try/finally; SIGINT must unwind them all. */
    private static void group(boolean uncaught) {
        try {
            Asyncio.run(() -> {
                try {
                    TaskGroup.run(g -> {
                        for (int i = 0; i < 2; i++) {
                            int n = i;
                            g.createTask("child-" + n, () -> {
                                try {
                                    Asyncio.sleep(3600);
                                } finally {
                                    say("finally child-" + n);
                                }
                            });
                        }
                        Asyncio.sleep(0);
                        say("ready");
                    });
                } finally {
                    say("finally main");
                }
            });
        } catch (KeyboardInterruptException e) {
            say("KeyboardInterruptException cause=" + e.getCause().getClass().getSimpleName());
            if (!uncaught) {
                System.exit(e.exitStatus());
            }
            throw e;
        }
    }

    /** The main task's finally block takes its time: a second SIGINT gets the JVM's default. */
    private static void stubborn() {
        Asyncio.run(() -> {
            try {
                say("ready");
                Asyncio.sleep(3600);
            } finally {
                say("unwinding");
                Asyncio.sleep(3600);
                say("never");
            }
        });
    }

    /** A TERM handler added and removed: TERM then ends the JVM as usual. */
    private static void removed() {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            loop.addSignalHandler("TERM", () -> say("TERM handled"));
            say("removed " + loop.removeSignalHandler("TERM"));
            say("ready");
            Asyncio.sleep(3600);
        });
    }

    /** A loop with a TERM handler is closed: TERM then ends the JVM as usual. */
    private static void closed() throws InterruptedException {
        EventLoop loop = EventLoop.newEventLoop();
        loop.addSignalHandler("TERM", () -> say("TERM handled"));
        loop.close();
        say("ready");
        Thread.sleep(3_600_000);
    }

    /** Main handles SIGINT itself: the runner leaves it alone, and run returns normally. */
    private static void ownInt() {
        String r = Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Event stop = new Event();
            loop.addSignalHandler("INT", () -> {
                say("my INT");
                stop.set();
            });
            say("ready");
            stop.await();
            loop.removeSignalHandler("INT");
            return "returned";
        });
        say(r);
    }

    /** Under -Xrs the JVM leaves INT, TERM, HUP to native code: adding is refused, the runner stays out. */
    private static void xrs() {
        String r = Asyncio.run(() -> {
            String claims = "runner claims " + Signals.runnerClaims();
            try {
                Asyncio.getRunningLoop().addSignalHandler("TERM", () -> { });
                return "added; " + claims;
            } catch (IllegalArgumentException e) {
                return claims + "; refused: " + e.getMessage();
            }
        });
        say(r);
    }

    /** Main absorbs the cancellation and returns a value: run returns it, no interrupt. */
    private static void absorbed() {
        String r = Asyncio.run(() -> {
            try {
                say("ready");
                Asyncio.sleep(3600);
                return "slept";
            } catch (CancelledError e) {
                Asyncio.currentTask().uncancel();
                return "absorbed";
            }
        });
        say(r);
    }

    /**
     * CPython's test_interrupt_cancelled_task: a task cancels main, then SIGINT arrives (the test
     * sends it after "ready") while main's cancellation is being delivered; the loop is held, so
     * the signal's own cancel comes after main ended. The run must end with CancelledError.
     */
    private static void interruptCancelled() {
        Task<?>[] main = new Task<?>[1];
        String result;
        try {
            Asyncio.run(() -> {
                main[0] = Asyncio.currentTask();
                Asyncio.createTask(() -> {
                    Asyncio.sleep(0);
                    main[0].cancel();
                    say("ready");
                    Thread.sleep(3000); // holds the loop: the SIGINT comes while main is being cancelled
                });
                Asyncio.sleep(10);
                return null;
            });
            result = "returned";
        } catch (Throwable e) {
            result = e.getClass().getSimpleName();
        }
        say("cancelling " + main[0].cancelling());
        say("result " + result);
    }

    /** test_runners' test_interrupt_wait: SIGINT while main awaits a future cancels both. */
    private static void interruptWait() {
        String result;
        AsyncFuture<?>[] fut = new AsyncFuture<?>[1];
        try (Runner runner = new Runner()) {
            fut[0] = runner.getLoop().createFuture();
            runner.run(() -> {
                say("ready");
                try {
                    fut[0].await();
                    say("not cancelled");
                } catch (CancelledError e) {
                    say("main cancelled");
                }
                throw new CancelledError(); // as the case: end cancelled
            });
            result = "returned";
        } catch (Throwable e) {
            result = e.getClass().getSimpleName();
        }
        say("future cancelled " + fut[0].isCancelled());
        say("result " + result);
    }

    /** test_runners' test_interrupt_call_soon: SIGINT while main never waits on a future, only sleep(0). */
    private static void interruptBusy() {
        String result;
        try (Runner runner = new Runner()) {
            runner.run(() -> {
                say("ready");
                try {
                    while (true) {
                        Asyncio.sleep(0);
                    }
                } catch (CancelledError e) {
                    say("main cancelled");
                }
                throw new CancelledError();
            });
            result = "returned";
        } catch (Throwable e) {
            result = e.getClass().getSimpleName();
        }
        say("result " + result);
    }
}
