package io.jasyncio;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A clock for tests: time stands still unless the test advances it, or, with autojump, jumps to
 * the next timer whenever the loop has nothing else to do. A test that sleeps for an hour then
 * takes microseconds, and every timer fires in exact order at exactly its time. Modelled on Trio's
 * {@code MockClock}.
 *
 * <pre>{@code
 * VirtualClock clock = new VirtualClock();                       // autojump on
 * Asyncio.run(EventLoop.builder().clock(clock), () -> {
 *     Asyncio.sleep(3600);                                        // returns at once
 *     assert Asyncio.getRunningLoop().time() == 3600.0;
 * });
 * }</pre>
 *
 * <p><b>Autojump.</b> When every task waits and no callback is ready, the loop moves the clock to
 * its next timer instead of sleeping, unless work it is waiting for runs on another thread
 * ({@link EventLoop#runInExecutor}, {@link Asyncio#toThread}, {@link EventLoop#wrapFuture}): then
 * it waits in real time for that work, so a jump never overtakes it. Threads the loop does not
 * know about (one of your own calling {@link EventLoop#callSoonThreadsafe}) can be given time with
 * {@link #setAutojumpThreshold}: the loop then waits that long in real time before jumping.
 * Sockets and pipes the loop watches get a short real-time grace before each jump
 * ({@link #setIoGrace}).
 *
 * <p><b>By hand.</b> With autojump off, only {@link #advance} moves time; the timers it makes due
 * run on the loop's next iteration (a task can {@code Asyncio.sleep(0)} to let them).
 *
 * <p>Thread-safe: {@link #advance} may be called from any thread, and wakes the loops using the
 * clock.
 */
public final class VirtualClock implements LoopClock {
    private volatile long now;
    private volatile boolean autojump;
    private volatile long autojumpThresholdNanos;
    private volatile long ioGraceNanos = 2_000_000L;
    private volatile Consumer<EventLoop> onStuck;
    private final List<EventLoop> loops = new CopyOnWriteArrayList<>();

    /** A clock at time 0 with autojump on. */
    public VirtualClock() {
        this(true);
    }

    /**
     * A clock at time 0.
     *
     * @param autojump whether the loop jumps to its next timer when idle
     */
    public VirtualClock(boolean autojump) {
        this.autojump = autojump;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** {@return the current virtual time in seconds} */
    public double time() {
        return now / 1e9;
    }

    /**
     * Moves time forward; timers that become due run on the loop's next iteration.
     *
     * @param seconds how far, not negative
     * @throws IllegalArgumentException if {@code seconds} is negative or NaN
     */
    public void advance(double seconds) {
        EventLoop.checkDelay(seconds);
        advanceNanos(EventLoop.addDelay(0, seconds));
    }

    /**
     * Moves time forward; see {@link #advance(double)}.
     *
     * @param d how far, not negative
     */
    public void advance(Duration d) {
        advanceNanos(EventLoop.addDelay(0, d));
    }

    private synchronized void advanceNanos(long d) {
        long n = now + d;
        now = n < now ? Long.MAX_VALUE - 1 : n;
        for (EventLoop l : loops) {
            l.wakeup();
        }
    }

    /** Jumps to {@code when} if it is later; called by an idle loop. */
    synchronized void jumpTo(long when) {
        if (when > now) {
            now = when;
        }
    }

    /** {@return whether autojump is on} */
    public boolean isAutojump() {
        return autojump;
    }

    /**
     * Turns autojump on or off.
     *
     * @param on whether the loop jumps to its next timer when idle
     */
    public void setAutojump(boolean on) {
        this.autojump = on;
        for (EventLoop l : loops) {
            l.wakeup();
        }
    }

    /**
     * How long an idle loop waits in real time before jumping, for threads it does not know about
     * (0 by default: jump at once).
     *
     * @param seconds real seconds, not negative
     */
    public void setAutojumpThreshold(double seconds) {
        EventLoop.checkDelay(seconds);
        this.autojumpThresholdNanos = EventLoop.addDelay(0, seconds);
    }

    /**
     * How long an idle loop that watches sockets or pipes waits in real time for them before it
     * jumps to its next timer: 2 ms by default. Loopback traffic between tasks of the loop is
     * ready long before that; a test talking to another process (a CPython peer, a subprocess)
     * should raise it, or time would jump past a reply that is on its way. With no timer set, a
     * loop watching I/O waits for it without limit, as a real loop does.
     *
     * @param seconds real seconds, not negative
     */
    public void setIoGrace(double seconds) {
        EventLoop.checkDelay(seconds);
        this.ioGraceNanos = EventLoop.addDelay(0, seconds);
    }

    /**
     * What to do, on the loop, when it is stuck for good: autojump is on, every task waits, no
     * timer is set and no work is running on another thread, so nothing known can ever wake it. By
     * default the loop sleeps, as a real one would; the test kit fails the test with a task dump.
     *
     * @param handler called on the loop each time it finds itself stuck, or {@code null}
     */
    public void setOnStuck(Consumer<EventLoop> handler) {
        this.onStuck = handler;
    }

    void attach(EventLoop loop) {
        loops.add(Objects.requireNonNull(loop));
    }

    void detach(EventLoop loop) {
        loops.remove(loop);
    }

    /** What {@link #idle} returns when the loop is stuck for good (see {@link #setOnStuck}). */
    static final long STUCK = Long.MIN_VALUE;

    /**
     * Decides how long the idle loop sleeps in real time: -1 without limit, 0 not at all (after a
     * jump), a positive number of nanoseconds, or {@link #STUCK}.
     *
     * @param nextTimer the loop's next timer in virtual nanoseconds, or Long.MAX_VALUE if none
     * @param externalPending how much work the loop waits for on other threads
     */
    long idle(long nextTimer, int externalPending, boolean ioWatched) {
        if (!autojump || externalPending > 0) {
            return -1;
        }
        if (ioWatched && nextTimer == Long.MAX_VALUE) {
            return -1;  // only I/O can wake the loop: wait for it, in real time, as a real loop
        }
        long threshold = autojumpThresholdNanos;
        if (ioWatched) {
            threshold = Math.max(threshold, ioGraceNanos);
        }
        if (threshold > 0) {
            return threshold;
        }
        if (nextTimer == Long.MAX_VALUE) {
            return STUCK;
        }
        jumpTo(nextTimer);
        return 0;
    }

    /** After a real wait of the autojump threshold with nothing new to do: jump, or say the loop is stuck. */
    long thresholdElapsed(long nextTimer, boolean ioWatched) {
        if (!autojump) {
            return 0;
        }
        if (ioWatched && nextTimer == Long.MAX_VALUE) {
            return -1;
        }
        if (nextTimer != Long.MAX_VALUE) {
            jumpTo(nextTimer);
            return 0;
        }
        return STUCK;
    }

    /** Tells the stuck handler, if any (on the loop). */
    void stuck(EventLoop loop) {
        Consumer<EventLoop> h = onStuck;
        if (h != null) {
            h.accept(loop);
        }
    }

    @Override
    public String toString() {
        return "VirtualClock[t=" + time() + (autojump ? ", autojump" : "") + "]";
    }
}
