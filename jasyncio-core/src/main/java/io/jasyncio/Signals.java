package io.jasyncio;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The process-wide table behind {@link EventLoop#addSignalHandler}, {@link EventLoop#removeSignalHandler}
 * and the {@link Runner}'s SIGINT handling, on top of {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}).
 *
 * <p>A signal jasyncio handles has a <em>slot</em>: the handler that was installed before jasyncio
 * took the signal (restored when jasyncio lets it go), and either one loop's callback, or (SIGINT
 * only) the runners whose main task the signal cancels. One Java handler, {@link #DISPATCH}, is
 * installed for every slot; the JDK runs it on a new platform thread per signal, and it hands the
 * work to the owning loop through {@link EventLoop#callSoonThreadsafe}, in the context captured
 * when the callback was registered.
 *
 * <p>Rules, as asyncio's where it has them:
 * <ul>
 *   <li>A loop that adds a handler for a signal it already handles replaces the callback; the
 *       handler to restore stays the one from before the first add.
 *   <li>Removing, or closing the loop, restores that earlier handler: the JVM's (SIGINT, SIGTERM
 *       and SIGHUP run the shutdown hooks and exit with 128 + the signal's number), the operating
 *       system's default, or whatever Java code had installed (the launcher's task dump on SIGUSR1).
 *   <li>Two loops cannot own one signal: the second add throws {@link IllegalStateException}
 *       naming the owner. (asyncio lets the last loop silently win, through the process-wide wake-up
 *       file descriptor, which leaves the first loop deaf; an error says so at once.) To reach
 *       several loops, handle the signal on one and pass it on with {@code callSoonThreadsafe}.
 *   <li>A loop's handler beats the runners': adding one for SIGINT drops the runners' claim (as
 *       asyncio's {@code add_signal_handler} replaces {@code Runner}'s {@code signal.signal}
 *       handler), and a runner does not claim SIGINT while a loop handles it.
 * </ul>
 *
 * <p>Refused with {@link IllegalArgumentException}: names the JDK does not know; signals the JVM
 * keeps for itself (the JDK refuses SIGKILL, SIGSTOP, SIGSEGV, SIGFPE, SIGILL, and SIGQUIT, its
 * thread dump, unless started with {@code -Xrs}; with {@code -Xrs} it refuses SIGINT, SIGTERM and
 * SIGHUP instead); and signals where a native handler of the JVM runs and a Java handler would
 * displace it ({@link #JVM_NATIVE}).
 */
final class Signals {
    private Signals() {
    }

    private static final System.Logger LOG = System.getLogger("io.jasyncio");

    /**
     * Signals whose handler in a HotSpot JVM on Linux is the JVM's own native code, which
     * {@code Signal.handle} would replace without complaint: SIGBUS (faults on memory-mapped files
     * become {@code InternalError}s), SIGUSR2 (suspends threads for the JFR sampler and profilers),
     * SIGPIPE and SIGXFSZ (kept from killing the process so that writes fail with an error instead).
     */
    private static final Set<String> JVM_NATIVE = Set.of("BUS", "USR2", "PIPE", "XFSZ");

    /** Shutdown signals: if the process started with one ignored (nohup, a background job), the JVM keeps it so. */
    private static final Set<String> SHUTDOWN = Set.of("INT", "TERM", "HUP");

    /**
     * The signals that always end the process, even when the loop that should handle them is
     * wedged: if its callback has not started within the grace period, or the same signal comes
     * again while it still waits, the signal gets the handling it had before (the JVM's: shutdown
     * hooks, exit 130 or 143). The second signal counts if it comes at least a second (or the grace
     * period, if shorter) after the first. See {@link #graceNanos()}.
     */
    private static final Set<String> STOPPING = Set.of("INT", "TERM");

    /** The property that sets the grace period, in seconds; {@code off} disables the fallback. */
    static final String GRACE_PROPERTY = "jasyncio.signalGrace";
    private static final double DEFAULT_GRACE_SECONDS = 5;
    /**
     * How long the first signal must have waited for a second one to end the process at once: two
     * {@code kill}s in a row from a script reach a healthy loop as two callbacks.
     */
    private static final long SECOND_SIGNAL_NANOS = 1_000_000_000L;

    private static final SignalHandler DISPATCH = Signals::dispatch;

    /** Guarded by {@code Signals.class}: the signals jasyncio holds, by short name ("INT"). */
    private static final Map<String, Slot> SLOTS = new HashMap<>();

    private static final class Slot {
        final Signal signal;
        /** What was installed before jasyncio took the signal; restored when it lets go. */
        final SignalHandler previous;
        /** The loop handling the signal, or null when runners hold it (SIGINT). */
        Registration owner;
        /** SIGINT only: the runners whose main task the next SIGINT cancels. */
        final List<RunnerHook> runners = new ArrayList<>();
        /** SIGINTs received while runners held the slot. */
        int interrupts;
        /** SIGINT, SIGTERM: the last delivery to the owning loop, until its callback starts. */
        Delivery waiting;

        Slot(Signal signal, SignalHandler previous) {
            this.signal = signal;
            this.previous = previous;
        }
    }

    /** One delivery of a stopping signal to a loop: whether the loop got round to it. */
    private static final class Delivery {
        final long sentAt = System.nanoTime();
        volatile boolean started;
        volatile Thread guard;

        void start() {
            started = true;
            Thread g = guard;
            if (g != null) {
                java.util.concurrent.locks.LockSupport.unpark(g);
            }
        }
    }

    /** A loop's callback for a signal, and the context it runs in. */
    private record Registration(EventLoop loop, Runnable callback, Context context) {
    }

    /**
     * A {@link Runner}'s claim on SIGINT while its main task runs: the first SIGINT cancels the
     * task, a second one goes to the handler from before.
     */
    static final class RunnerHook {
        private final EventLoop loop;
        private final Task<?> main;
        /** Set by the signal thread, read by the runner after its loop stopped. */
        private volatile boolean interrupted;
        /** Set on the loop when the SIGINT's cancellation reached the main task before it ended. */
        private volatile boolean delivered;
        private boolean dropped;

        RunnerHook(EventLoop loop, Task<?> main) {
            this.loop = loop;
            this.main = main;
        }

        /** @return whether a SIGINT cancelled (or tried to cancel) the main task */
        boolean interrupted() {
            return interrupted;
        }

        /**
         * @return whether the SIGINT's cancellation reached the main task while it was pending; it
         *     does not when the signal came as the task was already ending (cancelled by someone
         *     else), where CPython, whose handler cancels at once, would have counted two requests
         */
        boolean delivered() {
            return delivered;
        }

        private void interrupt(Signal sig, Slot slot) {
            interrupted = true;
            Delivery d = new Delivery();
            try {
                loop.callSoonThreadsafe(() -> {
                    d.start();
                    if (!main.isDone()) {
                        delivered = true;
                        main.cancel("interrupted by SIGINT");
                    }
                });
            } catch (IllegalStateException closedLoop) {
                return;   // the run ended as the signal arrived: nothing left to cancel
            }
            guard(sig, slot, d, loop);
        }
    }

    /**
     * The JDK's name of a signal: "SIGINT", "sigint" and "INT" all give "INT".
     *
     * @throws IllegalArgumentException if the name is empty
     */
    static String shortName(String signal) {
        String n = signal.trim().toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) {
            n = n.substring(3);
        }
        if (n.isEmpty()) {
            throw new IllegalArgumentException("No signal named '" + signal + "'");
        }
        return n;
    }

    private static Signal lookUp(String name, String asGiven) {
        if (JVM_NATIVE.contains(name)) {
            throw new IllegalArgumentException("SIG" + name + " is handled by the JVM's native code, which a Java"
                    + " handler would displace (SIGBUS: faults on mapped files; SIGUSR2: thread suspension for"
                    + " profilers; SIGPIPE, SIGXFSZ: kept from killing the process)");
        }
        try {
            return new Signal(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown signal '" + asGiven + "' (use names such as INT, TERM, HUP, USR1, WINCH)", e);
        }
    }

    /** Installs {@link #DISPATCH} for a new slot, translating the JDK's refusal. */
    private static Slot open(Signal sig) {
        SignalHandler previous;
        try {
            previous = Signal.handle(sig, DISPATCH);
        } catch (IllegalArgumentException e) {
            String why = sig.getName().equals("QUIT") ? " (the JVM prints its thread dump on SIGQUIT; jasyncio's task dump"
                    + " uses -Djasyncio.dumpSignal, USR1 in the launcher)"
                    : SHUTDOWN.contains(sig.getName()) ? " (the JVM runs with -Xrs, which leaves SIGINT, SIGTERM and SIGHUP"
                    + " to native code)" : "";
            throw new IllegalArgumentException("SIG" + sig.getName() + " cannot be handled: " + e.getMessage() + why, e);
        }
        Slot s = new Slot(sig, previous);
        SLOTS.put(sig.getName(), s);
        return s;
    }

    /** Gives the signal back to the handler from before jasyncio took it. */
    private static void close(Slot s) {
        SLOTS.remove(s.signal.getName());
        try {
            Signal.handle(s.signal, s.previous);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "could not restore the handler of SIG" + s.signal.getName() + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ loops

    static void add(EventLoop loop, String signal, Runnable callback, Context context) {
        String name = shortName(signal);
        Signal sig = lookUp(name, signal);
        synchronized (Signals.class) {
            Slot s = SLOTS.get(name);
            if (s != null && s.owner != null && s.owner.loop() != loop) {
                throw new IllegalStateException("SIG" + name + " is already handled by " + s.owner.loop()
                        + "; one loop owns a signal: remove it there first, or handle it there and pass it on"
                        + " with callSoonThreadsafe");
            }
            if (s == null) {
                s = open(sig);
                if (s.previous == SignalHandler.SIG_IGN && SHUTDOWN.contains(name)) {
                    LOG.log(System.Logger.Level.WARNING, "SIG" + name + " was ignored when this process started"
                            + " (nohup, or a background job); the JVM keeps it ignored, so the handler of " + loop
                            + " will not run");
                }
            }
            for (RunnerHook h : s.runners) {
                h.dropped = true;
            }
            s.runners.clear();
            s.interrupts = 0;
            s.owner = new Registration(loop, callback, context);
        }
    }

    static boolean remove(EventLoop loop, String signal) {
        String name = shortName(signal);
        if (!JVM_NATIVE.contains(name)) {
            lookUp(name, signal);  // a name that is no signal is an error here too, as in asyncio
        }
        synchronized (Signals.class) {
            Slot s = SLOTS.get(name);
            if (s == null || s.owner == null || s.owner.loop() != loop) {
                return false;
            }
            close(s);
            return true;
        }
    }

    /** The loop is closing: every signal it handles goes back to its earlier handler. */
    static void loopClosed(EventLoop loop) {
        synchronized (Signals.class) {
            for (Slot s : List.copyOf(SLOTS.values())) {
                if (s.owner != null && s.owner.loop() == loop) {
                    close(s);
                } else if (s.owner == null) {
                    s.runners.removeIf(h -> h.loop == loop);
                    if (s.runners.isEmpty()) {
                        close(s);
                    }
                }
            }
        }
    }

    /** @return the loop handling {@code signal}, or null (for tests and messages) */
    static EventLoop owner(String signal) {
        synchronized (Signals.class) {
            Slot s = SLOTS.get(shortName(signal));
            return s == null || s.owner == null ? null : s.owner.loop();
        }
    }

    /** @return how many runners SIGINT would interrupt now (for tests) */
    static int runnerClaims() {
        synchronized (Signals.class) {
            Slot s = SLOTS.get("INT");
            return s == null ? 0 : s.runners.size();
        }
    }

    // ------------------------------------------------------------------ runners

    /**
     * Claims SIGINT for a runner's main task, unless a loop handles SIGINT or the process ignores
     * it.
     *
     * @return the claim, or null if the runner must leave SIGINT alone
     */
    static RunnerHook runnerStarted(EventLoop loop, Task<?> main) {
        synchronized (Signals.class) {
            Slot s = SLOTS.get("INT");
            if (s != null && s.owner != null) {
                return null;
            }
            if (s == null) {
                Signal sig;
                try {
                    sig = new Signal("INT");
                    s = open(sig);
                } catch (IllegalArgumentException | LinkageError e) {
                    return null;                         // -Xrs: SIGINT is not Java's to handle
                }
                if (s.previous == SignalHandler.SIG_IGN) {
                    close(s);                            // ignored since the start: keep it so, as CPython does
                    return null;
                }
            }
            RunnerHook h = new RunnerHook(loop, main);
            s.runners.add(h);
            return h;
        }
    }

    /** The runner's main task is done: it lets SIGINT go (the last runner restores the earlier handler). */
    static void runnerFinished(RunnerHook h) {
        synchronized (Signals.class) {
            if (h.dropped) {
                return;
            }
            h.dropped = true;
            Slot s = SLOTS.get("INT");
            if (s != null && s.owner == null && s.runners.remove(h) && s.runners.isEmpty()) {
                close(s);
            }
        }
    }

    // ------------------------------------------------------------------ delivery

    /** Runs on the JDK's signal thread (a new platform thread per signal). */
    private static void dispatch(Signal sig) {
        Registration to;
        List<RunnerHook> interrupt = null;
        SignalHandler passOn = null;
        Slot slot;
        Delivery delivery = null;
        synchronized (Signals.class) {
            Slot s = SLOTS.get(sig.getName());
            if (s == null) {
                return;                                  // let go while this signal was on its way
            }
            slot = s;
            to = s.owner;
            if (to != null && STOPPING.contains(sig.getName())) {
                Delivery w = s.waiting;
                long grace = graceNanos();
                if (w != null && !w.started && grace >= 0 && System.nanoTime() - w.sentAt >= Math.min(grace, SECOND_SIGNAL_NANOS)) {
                    // Sent again, a while after the first, which the loop has not even started: it is wedged.
                    LOG.log(System.Logger.Level.ERROR, "SIG" + sig.getName() + " again, and " + to.loop()
                            + " has not run its handler for the first one: ending the process as the JVM would");
                    close(s);
                    passOn = s.previous;
                    to = null;
                } else {
                    delivery = new Delivery();
                    if (w == null || w.started) {
                        s.waiting = delivery;            // else the older one, still waiting, is the one to time
                    }
                }
            } else if (to == null) {
                if (++s.interrupts == 1) {
                    interrupt = List.copyOf(s.runners);
                } else {
                    // A second SIGINT while the main task unwinds: default behaviour from now on.
                    for (RunnerHook h : s.runners) {
                        h.dropped = true;
                    }
                    close(s);
                    passOn = s.previous;
                }
            }
        }
        if (to != null) {
            Registration r = to;
            Delivery d = delivery;
            Runnable callback = d == null ? r.callback() : () -> {
                d.start();
                r.callback().run();
            };
            try {
                r.context().run(() -> {
                    r.loop().callSoonThreadsafe(callback);
                });
            } catch (IllegalStateException closedLoop) {
                return;                                  // the loop closed as the signal arrived
            }
            if (d != null) {
                guard(sig, slot, d, r.loop());
            }
        } else if (interrupt != null) {
            for (RunnerHook h : interrupt) {
                h.interrupt(sig, slot);
            }
        } else if (passOn != null) {
            deliver(sig, passOn);
        }
    }

    /**
     * The grace period of SIGINT and SIGTERM, from {@value #GRACE_PROPERTY} (seconds, default 5),
     * or -1 if it is {@code off}.
     */
    static long graceNanos() {
        String p = System.getProperty(GRACE_PROPERTY, "").trim();
        if (p.isEmpty()) {
            return (long) (DEFAULT_GRACE_SECONDS * 1e9);
        }
        if (p.equalsIgnoreCase("off")) {
            return -1;
        }
        try {
            double seconds = Double.parseDouble(p);
            if (seconds >= 0 && seconds <= 86_400) {
                return (long) (seconds * 1e9);
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        LOG.log(System.Logger.Level.WARNING, GRACE_PROPERTY + " must be a number of seconds from 0 to 86400, or off;"
                + " got '" + p + "', using " + DEFAULT_GRACE_SECONDS);
        return (long) (DEFAULT_GRACE_SECONDS * 1e9);
    }

    /**
     * Ends the process as the JVM would if {@code loop} does not start the callback of
     * {@code d} within the grace period: the fallback for a wedged loop (a task that blocks the
     * loop for good). Waits on a daemon thread of its own, or on the calling signal thread if none
     * can be started.
     */
    private static void guard(Signal sig, Slot slot, Delivery d, EventLoop loop) {
        long grace = graceNanos();
        if (grace < 0) {
            return;
        }
        Runnable watch = () -> {
            d.guard = Thread.currentThread();
            long deadline = System.nanoTime() + grace;
            for (long left; !d.started && (left = deadline - System.nanoTime()) > 0; ) {
                java.util.concurrent.locks.LockSupport.parkNanos(d, left);
            }
            if (d.started) {
                return;
            }
            synchronized (Signals.class) {
                if (SLOTS.get(sig.getName()) != slot) {
                    return;                              // let go meanwhile (the loop closed): not ours to end
                }
                close(slot);
            }
            String holder;
            try {
                holder = loop.dumpTasksThreadsafe(java.time.Duration.ofMillis(200)).toString();
            } catch (Throwable e) {
                holder = "(no task dump: " + e + ")";
            }
            LOG.log(System.Logger.Level.ERROR, "SIG" + sig.getName() + ": " + loop + " did not start its handler within "
                    + String.format(Locale.ROOT, "%.3f", grace / 1e9) + " s (-D" + GRACE_PROPERTY
                    + "); ending the process as the JVM would. " + holder);
            deliver(sig, slot.previous);
        };
        try {
            Thread.ofPlatform().daemon().name("jasyncio-signal-grace").start(watch);
        } catch (Throwable noThread) {
            watch.run();
        }
    }

    /** Does what {@code handler} would have done with {@code sig}. */
    private static void deliver(Signal sig, SignalHandler handler) {
        if (handler == SignalHandler.SIG_IGN) {
            return;
        }
        if (handler == SignalHandler.SIG_DFL) {
            Signal.raise(sig);                           // our handler is gone: the default action applies
            return;
        }
        try {
            handler.handle(sig);                         // the JVM's: shutdown hooks, then exit 128 + n
        } catch (UnsupportedOperationException nativeHandler) {
            Signal.raise(sig);                           // a native handler, restored: let it run natively
        }
    }
}
