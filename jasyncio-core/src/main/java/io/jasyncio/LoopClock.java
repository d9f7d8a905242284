package io.jasyncio;

/**
 * The monotonic clock of an {@link EventLoop}: every timer, sleep and timeout of the loop reads
 * time from it and from nothing else, so a test can substitute a clock it controls.
 *
 * <p>{@link #system()} is the default. A clock must be monotonic (never go backwards) and its
 * origin is arbitrary; small values are better, because {@link EventLoop#time()} reports them as
 * {@code double} seconds.
 */
@FunctionalInterface
public interface LoopClock {
    /**
     * The current time in nanoseconds from the clock's origin.
     *
     * @return the time
     */
    long nanoTime();

    /**
     * The JVM's monotonic clock ({@link System#nanoTime()}), with its origin moved to the moment
     * this class was initialised.
     *
     * @return the system clock
     */
    static LoopClock system() {
        return SystemClock.INSTANCE;
    }
}

final class SystemClock implements LoopClock {
    static final SystemClock INSTANCE = new SystemClock();
    private static final long ORIGIN = System.nanoTime();

    @Override
    public long nanoTime() {
        return System.nanoTime() - ORIGIN;
    }

    @Override
    public String toString() {
        return "LoopClock.system()";
    }
}
