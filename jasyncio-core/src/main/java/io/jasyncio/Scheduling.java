package io.jasyncio;

/**
 * Where a loop's task threads run. Both modes give the same semantics (one task or callback of a
 * loop at a time, control changes only at awaits); they differ in speed and in what they need.
 *
 * <p>Choose with {@link EventLoop.Builder#scheduling}, or for every loop with the system property
 * {@code jasyncio.scheduler} ({@code auto}, {@code shared} or {@code dedicated}).
 */
public enum Scheduling {
    /**
     * Task threads are ordinary virtual threads on the JDK's shared scheduler. Needs no JVM flags.
     * A hand-off between tasks may cross carrier threads, which costs more (see the README's
     * benchmark table).
     */
    SHARED,
    /**
     * The loop owns one carrier thread and runs all its task threads on it: a hand-off never leaves
     * that thread. Needs {@code --add-opens java.base/java.lang=ALL-UNNAMED} (the launcher passes
     * it); without it a loop that asks for this mode fails to build.
     *
     * <p>The JDK gives a virtual thread the scheduler of the virtual thread that creates it, so a
     * virtual thread that a task creates itself (with {@link Thread#ofVirtual()} or a
     * virtual-thread executor) also runs on the loop's carrier and competes with the loop for it.
     * Send blocking or CPU-bound work to {@link Asyncio#toThread} or {@link EventLoop#runInExecutor},
     * whose threads run on the shared scheduler.
     */
    DEDICATED,
    /** {@link #DEDICATED} when {@code java.base/java.lang} is opened to jasyncio, else {@link #SHARED}. */
    AUTO
}
