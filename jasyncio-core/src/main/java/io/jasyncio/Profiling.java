package io.jasyncio;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The books' {@code @elapsed} / {@code async_timed} decorators: time a piece of a task's work in
 * wall time and in the time it actually held the loop. A block that mostly waits shows a long wall
 * time and a short loop time; a block whose loop time is close to its wall time is hogging the loop.
 *
 * <pre>{@code
 * Page p = Profiling.timed("fetch " + url, () -> fetch(url));
 * // INFO io.jasyncio.profile: fetch http://...: 1.204 s wall, held the loop 0.003 s in 4 steps
 * }</pre>
 *
 * <p>Timing a block turns on loop-time accounting for its task (two clock reads per step) while the
 * block runs; other tasks pay nothing. In debug mode every task is accounted, and the task dump
 * shows each task's steps and loop time.
 */
public final class Profiling {
    private static final System.Logger LOG = System.getLogger("io.jasyncio.profile");

    private Profiling() {
    }

    /**
     * What a timed block cost.
     *
     * @param name the block's name
     * @param wallSeconds real time from start to end
     * @param loopSeconds time the task held the loop during the block
     * @param steps how many times the task had control during the block
     */
    public record Timing(String name, double wallSeconds, double loopSeconds, int steps) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %.3f s wall, held the loop %.3f s in %d step%s",
                    name, wallSeconds, loopSeconds, steps, steps == 1 ? "" : "s");
        }
    }

    /**
     * Runs {@code body} in the calling task and logs its {@link Timing} at INFO on the
     * {@code io.jasyncio.profile} logger.
     *
     * @param <T> the result type
     * @param name names the block in the log
     * @param body the work
     * @return the body's result
     */
    public static <T> T timed(String name, Callable<? extends T> body) {
        return timed(name, body, t -> LOG.log(System.Logger.Level.INFO, t.toString()));
    }

    /**
     * Runs {@code body}, which returns nothing, and logs its {@link Timing}.
     *
     * @param name names the block in the log
     * @param body the work
     */
    public static void timed(String name, CheckedRunnable body) {
        timed(name, EventLoop.asCallable(body));
    }

    /**
     * Runs {@code body} in the calling task and hands its {@link Timing} to {@code sink}, also
     * when the body throws.
     *
     * @param <T> the result type
     * @param name names the block
     * @param body the work
     * @param sink receives the timing
     * @return the body's result
     * @throws IllegalStateException if not called by a task
     */
    public static <T> T timed(String name, Callable<? extends T> body, Consumer<? super Timing> sink) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(sink, "sink");
        Task<?> t = EventLoop.requireCurrentTask("profile a block");
        EventLoop loop = t.loop;
        Diagnostics d = loop.beginProfiling(t);
        int steps0 = t.steps;
        long loop0 = d.loopNanos;
        long wall0 = System.nanoTime();
        try {
            return body.call();
        } catch (Exception e) {
            throw Sneaky.<RuntimeException>rethrow(e);
        } finally {
            loop.chargeCurrentStep(t);
            Timing timing = new Timing(name, (System.nanoTime() - wall0) / 1e9, (d.loopNanos - loop0) / 1e9, t.steps - steps0 + 1);
            loop.endProfiling(t);
            sink.accept(timing);
        }
    }
}
