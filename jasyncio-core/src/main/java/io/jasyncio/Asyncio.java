package io.jasyncio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The top-level functions of asyncio, camelCased: {@code run}, {@code createTask}, {@code sleep},
 * {@code gather}, {@code wait}, {@code waitFor}, {@code shield}, {@code asCompleted},
 * {@code timeout}, {@code toThread} and friends. Each works on the loop running the calling task.
 *
 * <p><b>Awaiting.</b> The methods that wait ({@code sleep}, {@code waitFor}, {@code wait},
 * {@code toThread}, and {@link AsyncFuture#await()} on what {@code gather} and {@code shield}
 * return) must be called from a task; anywhere else they throw {@link IllegalStateException}
 * saying why. Each is a <em>cancellation point</em>: if the calling task is cancelled while it
 * waits, {@link CancelledError} is thrown there, and what the method was waiting for is cancelled
 * too unless the method says otherwise.
 *
 * <p><b>Time.</b> Durations are {@code double} seconds, as in asyncio, or {@link Duration}.
 * Negative and NaN durations are rejected with {@link IllegalArgumentException};
 * {@code Double.POSITIVE_INFINITY} means no limit (asyncio's {@code None}).
 */
public final class Asyncio {
    private Asyncio() {
    }

    // ------------------------------------------------------------------ running

    /**
     * Runs {@code main} as a task on a new loop and returns its result. Mirrors
     * {@code asyncio.run}: when {@code main} is done, the tasks still pending are cancelled and
     * awaited, unfinished {@link AsyncGenerator}s are closed, the default executor is shut down, and
     * the loop is closed.
     *
     * <p>On the JVM's main thread, the first SIGINT (Ctrl-C) cancels {@code main} so that it
     * unwinds, and {@code run} then throws {@link KeyboardInterruptException}; a second SIGINT
     * exits at once (see {@link Runner}, <em>Ctrl-C</em>; {@code -Djasyncio.sigint=false} turns
     * this off).
     *
     * <p><b>Other exceptions.</b> What {@code main} throws, unchanged: checked ones too, although
     * the method declares none (they are rethrown as they are, not wrapped; catch {@code Exception}
     * to handle them).
     *
     * @param <T> the result type
     * @param main the program's top-level body
     * @return its result
     * @throws IllegalStateException if called from a running loop
     * @throws KeyboardInterruptException if a SIGINT cancelled {@code main} and it ended cancelled
     */
    public static <T> T run(Callable<? extends T> main) {
        return run(EventLoop.builder(), main);
    }

    /**
     * Runs {@code main}, which returns nothing; see {@link #run(Callable)}.
     *
     * @param main the program's top-level body
     */
    public static void run(CheckedRunnable main) {
        run(EventLoop.asCallable(main));
    }

    /**
     * Runs {@code main} on a new loop configured by {@code loop} (debug mode, a clock, a
     * scheduling mode); see {@link #run(Callable)}.
     *
     * @param <T> the result type
     * @param loop the loop's configuration
     * @param main the program's top-level body
     * @return its result
     */
    public static <T> T run(EventLoop.Builder loop, Callable<? extends T> main) {
        Objects.requireNonNull(main, "main");
        if (EventLoop.ownedBy(Thread.currentThread()) != null) {
            throw new IllegalStateException("Asyncio.run() cannot be called from a running event loop");
        }
        try (Runner r = new Runner(loop)) {
            return r.run(main);
        }
    }

    /**
     * The loop running the calling task or callback. Mirrors {@code get_running_loop}.
     *
     * @return the loop
     * @throws IllegalStateException if no loop runs the calling code
     */
    public static EventLoop getRunningLoop() {
        return EventLoop.getRunningLoop();
    }

    // ------------------------------------------------------------------ tasks

    /**
     * Schedules {@code body} as a task of the running loop. Mirrors {@code create_task}.
     *
     * @param <T> the result type
     * @param body the task's body
     * @return the task
     */
    public static <T> Task<T> createTask(Callable<? extends T> body) {
        return EventLoop.getRunningLoop().createTask(body);
    }

    /**
     * Schedules {@code body}, which returns nothing, as a task of the running loop.
     *
     * @param body the task's body
     * @return the task
     */
    public static Task<Void> createTask(CheckedRunnable body) {
        return EventLoop.getRunningLoop().createTask(body);
    }

    /**
     * Schedules {@code body} as a named task of the running loop.
     *
     * @param <T> the result type
     * @param name the task's name
     * @param body the task's body
     * @return the task
     */
    public static <T> Task<T> createTask(String name, Callable<? extends T> body) {
        return EventLoop.getRunningLoop().createTask(name, body);
    }

    /**
     * Schedules {@code body}, which returns nothing, as a named task of the running loop.
     *
     * @param name the task's name
     * @param body the task's body
     * @return the task
     */
    public static Task<Void> createTask(String name, CheckedRunnable body) {
        return EventLoop.getRunningLoop().createTask(name, body);
    }

    /**
     * Schedules {@code body} as a task of the running loop that runs in {@code context} itself,
     * not in a copy of the caller's: what it sets there is seen by whoever holds the context
     * afterwards. Mirrors {@code create_task(coro, context=ctx)}.
     *
     * @param <T> the result type
     * @param context the context the task runs in
     * @param body the task's body
     * @return the task
     */
    public static <T> Task<T> createTask(Context context, Callable<? extends T> body) {
        Objects.requireNonNull(context, "context");
        return EventLoop.getRunningLoop().createTaskOf(null, null, body, context);
    }

    /**
     * Schedules {@code body}, which returns nothing, as a task that runs in {@code context}; see
     * {@link #createTask(Context, Callable)}.
     *
     * @param context the context the task runs in
     * @param body the task's body
     * @return the task
     */
    public static Task<Void> createTask(Context context, CheckedRunnable body) {
        Objects.requireNonNull(context, "context");
        return EventLoop.getRunningLoop().createTaskOf(null, null, body, context);
    }

    /**
     * The task running the calling code, or {@code null} in a callback. Mirrors
     * {@code current_task}.
     *
     * @return the task, or {@code null}
     * @throws IllegalStateException if no loop runs the calling code
     */
    public static Task<?> currentTask() {
        return EventLoop.getRunningLoop().currentTask();
    }

    /**
     * The running loop's tasks that are not done. Mirrors {@code all_tasks}.
     *
     * @return a new set
     */
    public static Set<Task<?>> allTasks() {
        return EventLoop.getRunningLoop().allTasks();
    }

    /**
     * Returns {@code future} itself. Mirrors {@code ensure_future} given a future.
     *
     * @param <T> the result type
     * @param future a future
     * @return the same future
     */
    public static <T> AsyncFuture<T> ensureFuture(AsyncFuture<T> future) {
        return Objects.requireNonNull(future, "future");
    }

    /**
     * Schedules {@code body} as a task. Mirrors {@code ensure_future} given a coroutine.
     *
     * @param <T> the result type
     * @param body the body
     * @return the new task
     */
    public static <T> AsyncFuture<T> ensureFuture(Callable<? extends T> body) {
        return createTask(body);
    }

    /**
     * A future of the running loop that follows {@code stage}. Mirrors {@code ensure_future} given
     * an awaitable, and {@code wrap_future}.
     *
     * @param <T> the result type
     * @param stage a stage completed by any thread
     * @return the future
     */
    public static <T> AsyncFuture<T> ensureFuture(CompletionStage<? extends T> stage) {
        return wrapFuture(stage);
    }

    // ------------------------------------------------------------------ sleeping

    /**
     * Suspends the calling task for {@code seconds}. {@code sleep(0)} yields: the task resumes on
     * the next loop iteration, after everything already scheduled. Mirrors {@code asyncio.sleep}.
     *
     * <p><b>Cancellation.</b> A cancellation point.
     *
     * @param seconds how long; {@code +Infinity} sleeps until cancelled
     * @throws IllegalArgumentException if {@code seconds} is negative or NaN
     */
    public static void sleep(double seconds) {
        EventLoop.checkDelay(seconds);
        Task<?> t = EventLoop.requireCurrentTask("sleep");
        if (seconds == 0) {
            t.yieldStep();
            return;
        }
        sleepFor(t, EventLoop.addDelay(t.loop.timeNanos(), seconds));
    }

    /**
     * Suspends the calling task for {@code duration}; see {@link #sleep(double)}.
     *
     * @param duration how long, not negative
     */
    public static void sleep(Duration duration) {
        Task<?> t = EventLoop.requireCurrentTask("sleep");
        if (duration.isZero()) {
            t.yieldStep();
            return;
        }
        sleepFor(t, EventLoop.addDelay(t.loop.timeNanos(), duration));
    }

    /**
     * Suspends the calling task for {@code seconds} and returns {@code result}. Mirrors
     * {@code asyncio.sleep(delay, result)}.
     *
     * @param <T> the result type
     * @param seconds how long
     * @param result what to return
     * @return {@code result}
     */
    public static <T> T sleep(double seconds, T result) {
        sleep(seconds);
        return result;
    }

    /**
     * Yields until every other task of the loop is blocked: nothing else is ready to run and no
     * timer is due. Mirrors Trio's {@code trio.testing.wait_all_tasks_blocked()}; with a
     * {@link VirtualClock} advanced by hand, it lets the timers that became due, and everything they
     * wake, run before the test looks at the state.
     *
     * <p><b>Cancellation.</b> A cancellation point.
     */
    public static void waitAllTasksBlocked() {
        Task<?> t = EventLoop.requireCurrentTask("wait for all tasks to block");
        do {
            t.yieldStep();
        } while (!t.loop.othersBlocked());
    }

    private static void sleepFor(Task<?> t, long whenNanos) {
        EventLoop loop = t.loop;
        AsyncFuture<Void> f = loop.createFuture();
        if (whenNanos == Long.MAX_VALUE) {
            f.label = "sleep forever";
            f.await();
            return;
        }
        TimerHandle h = loop.callAtNanos(whenNanos, () -> f.trySetResult(null));
        f.label = h;
        try {
            f.await();
        } finally {
            h.cancel();
        }
    }

    // ------------------------------------------------------------------ gather

    /**
     * A future of the results of {@code futures}, in argument order. Mirrors {@code gather}: if a
     * child fails, the gather fails with that exception at once (the other children go on); if a
     * child is cancelled, the gather is cancelled. Cancelling the gather cancels every child not
     * yet done. The same future may appear several times. With no futures, the result is an empty
     * list. Await the returned future for the results; its {@link AsyncFuture#await() await()}
     * rethrows a child's exception unchanged, checked ones too, so catch {@code Exception} around
     * it (see there for the idiom).
     *
     * @param <T> the result type
     * @param futures the children, all of one loop
     * @return the gathering future
     */
    @SafeVarargs
    public static <T> AsyncFuture<List<T>> gather(AsyncFuture<? extends T>... futures) {
        return gather(Arrays.asList(futures));
    }

    /**
     * Like {@link #gather(AsyncFuture[])}, over a collection.
     *
     * @param <T> the result type
     * @param futures the children, all of one loop
     * @return the gathering future
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> AsyncFuture<List<T>> gather(Collection<? extends AsyncFuture<? extends T>> futures) {
        return (AsyncFuture) gatherImpl(new ArrayList<>(futures), false);
    }

    /**
     * Runs each body as a task and gathers their results, like {@code gather(coro1(), coro2())}.
     *
     * @param <T> the result type
     * @param bodies the bodies
     * @return the gathering future
     */
    @SafeVarargs
    public static <T> AsyncFuture<List<T>> gather(Callable<? extends T>... bodies) {
        EventLoop loop = EventLoop.getRunningLoop();
        List<AsyncFuture<? extends T>> tasks = new ArrayList<>(bodies.length);
        for (Callable<? extends T> b : bodies) {
            tasks.add(loop.createTask(b));
        }
        return gather(tasks);
    }

    /**
     * Like {@link #gather(Collection)}; with {@code returnExceptions} true, an exception or
     * cancellation of a child takes its place in the result list (as the exception, or a
     * {@link CancelledError}) instead of failing the gather. Mirrors
     * {@code gather(..., return_exceptions=True)}.
     *
     * @param returnExceptions whether failures go into the list
     * @param futures the children, all of one loop
     * @return the gathering future; its list holds results and throwables
     */
    public static AsyncFuture<List<Object>> gather(boolean returnExceptions, Collection<? extends AsyncFuture<?>> futures) {
        return gatherImpl(new ArrayList<>(futures), returnExceptions);
    }

    /**
     * See {@link #gather(boolean, Collection)}.
     *
     * @param returnExceptions whether failures go into the list
     * @param futures the children
     * @return the gathering future
     */
    public static AsyncFuture<List<Object>> gather(boolean returnExceptions, AsyncFuture<?>... futures) {
        return gatherImpl(Arrays.asList(futures), returnExceptions);
    }

    private static AsyncFuture<List<Object>> gatherImpl(List<? extends AsyncFuture<?>> futures, boolean returnExceptions) {
        if (futures.isEmpty()) {
            AsyncFuture<List<Object>> f = EventLoop.getRunningLoop().createFuture();
            f.setResult(List.of());
            return f;
        }
        return GatheringFuture.over(futures, returnExceptions);
    }

    // ------------------------------------------------------------------ wait

    /**
     * Waits until all {@code futures} are done; see {@link #wait(Collection, ReturnWhen, double)}.
     *
     * @param <F> the future type
     * @param futures the futures
     * @return done and pending futures
     */
    public static <F extends AsyncFuture<?>> WaitResult<F> wait(Collection<F> futures) {
        return wait(futures, ReturnWhen.ALL_COMPLETED, Double.POSITIVE_INFINITY);
    }

    /**
     * Waits until {@code when} is satisfied; see {@link #wait(Collection, ReturnWhen, double)}.
     *
     * @param <F> the future type
     * @param futures the futures
     * @param when when to return
     * @return done and pending futures
     */
    public static <F extends AsyncFuture<?>> WaitResult<F> wait(Collection<F> futures, ReturnWhen when) {
        return wait(futures, when, Double.POSITIVE_INFINITY);
    }

    /**
     * Waits until {@code when} is satisfied or {@code timeout} seconds pass, and returns which
     * futures are done. Mirrors {@code asyncio.wait}: nothing is cancelled and nothing is raised on
     * timeout; the caller looks at the two sets. The sets keep the order of {@code futures}
     * (asyncio's are unordered).
     *
     * <p><b>Cancellation.</b> A cancellation point; the futures themselves are not cancelled.
     *
     * @param <F> the future type
     * @param futures the futures, at least one, all of the running loop
     * @param when when to return
     * @param timeout the most seconds to wait; {@code +Infinity} for no limit
     * @return done and pending futures
     * @throws IllegalArgumentException if {@code futures} is empty or {@code timeout} negative
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <F extends AsyncFuture<?>> WaitResult<F> wait(Collection<F> futures, ReturnWhen when, double timeout) {
        Objects.requireNonNull(when, "when");
        EventLoop.checkDelay(timeout);
        if (futures.isEmpty()) {
            throw new IllegalArgumentException("Set of Tasks/Futures is empty.");
        }
        Task<?> t = EventLoop.requireCurrentTask("wait");
        EventLoop loop = t.loop;
        Set<F> fs = new LinkedHashSet<>(futures);
        for (F f : fs) {
            if (f.loop != loop) {
                throw new IllegalArgumentException("wait: " + f + " belongs to another loop than " + loop);
            }
        }
        AsyncFuture<Void> waiter = loop.createFuture();
        waiter.label = Awaits.of("wait(" + when.name().toLowerCase(java.util.Locale.ROOT) + ") for " + fs.size(), fs);
        TimerHandle th = timeout == Double.POSITIVE_INFINITY ? null
                : loop.callLater(timeout, () -> waiter.trySetResult(null));
        int[] counter = {fs.size()};
        Consumer<AsyncFuture<?>> onCompletion = f -> {
            counter[0]--;
            if (counter[0] <= 0 || when == ReturnWhen.FIRST_COMPLETED
                    || (when == ReturnWhen.FIRST_EXCEPTION && !f.isCancelled() && f.exception() != null)) {
                if (th != null) {
                    th.cancel();
                }
                waiter.trySetResult(null);
            }
        };
        for (F f : fs) {
            ((AsyncFuture) f).addDoneCallback(onCompletion);
        }
        try {
            waiter.await();
        } finally {
            if (th != null) {
                th.cancel();
            }
            for (F f : fs) {
                ((AsyncFuture) f).removeDoneCallback(onCompletion);
            }
        }
        Set<F> done = new LinkedHashSet<>();
        Set<F> pending = new LinkedHashSet<>();
        for (F f : fs) {
            (f.isDone() ? done : pending).add(f);
        }
        return new WaitResult<>(done, pending);
    }

    // ------------------------------------------------------------------ waitFor and shield

    /**
     * Waits for {@code future} at most {@code timeout} seconds. Mirrors {@code wait_for}
     * (3.12+): on expiry the future is cancelled, and once it is done
     * {@link AsyncTimeoutException} is thrown. With timeout 0, a future already done returns its
     * result and any other is cancelled at once.
     *
     * <p><b>Cancellation.</b> A cancellation point; cancelling the caller cancels the future.
     *
     * <p><b>Other exceptions.</b> The future's own exception, rethrown unchanged: checked ones too,
     * although the method declares none (they are rethrown as they are, not wrapped; catch
     * {@code Exception} to handle them; see {@link AsyncFuture#await()}).
     *
     * @param <T> the result type
     * @param future the future
     * @param timeout the most seconds to wait; {@code +Infinity} for no limit
     * @return the future's result
     * @throws AsyncTimeoutException if the timeout passed first
     */
    public static <T> T waitFor(AsyncFuture<? extends T> future, double timeout) {
        Objects.requireNonNull(future, "future");
        EventLoop.checkDelay(timeout);
        if (timeout == Double.POSITIVE_INFINITY) {
            return future.await();
        }
        if (timeout == 0) {
            EventLoop.requireCurrentTask("waitFor");
            if (future.isDone()) {
                return future.result();
            }
            cancelAndWait(future);
            try {
                return future.result();
            } catch (CancelledError e) {
                throw new AsyncTimeoutException("waitFor: timed out (timeout 0)", null, e);
            }
        }
        return timeout(timeout).run(future::await);
    }

    /**
     * Runs {@code body} in the calling task, cancelling it if it takes more than {@code timeout}
     * seconds. Mirrors {@code wait_for(coro, timeout)} of asyncio 3.12+, which is
     * {@code async with timeout(timeout): return await coro}: the body runs in the caller's task
     * (so {@link #currentTask()} and context variables are the caller's), and this is
     * {@code timeout(timeout).run(body)}. With timeout 0 the body is not started at all and
     * {@link AsyncTimeoutException} is thrown, as asyncio does; {@code +Infinity} runs it without
     * a limit.
     *
     * <p><b>Cancellation.</b> A cancellation point wherever the body awaits; on expiry the body
     * is cancelled at its current await, and {@link AsyncTimeoutException} is thrown once it has
     * unwound. A cancellation from outside passes through unchanged.
     *
     * <p><b>Other exceptions.</b> What the body throws, unchanged: checked ones too, although the
     * method declares none (they are rethrown as they are, not wrapped; catch {@code Exception} to
     * handle them).
     *
     * @param <T> the result type
     * @param body the body
     * @param timeout the most seconds to wait
     * @return the body's result
     * @throws AsyncTimeoutException if the timeout passed first (or was 0)
     * @throws IllegalStateException if not called by a task
     */
    public static <T> T waitFor(Callable<? extends T> body, double timeout) {
        Objects.requireNonNull(body, "body");
        EventLoop.checkDelay(timeout);
        if (timeout == 0) {
            EventLoop.requireCurrentTask("waitFor");
            throw new AsyncTimeoutException("waitFor: timed out (timeout 0): the body was not started");
        }
        return timeout(timeout).run(body);
    }

    /**
     * See {@link #waitFor(AsyncFuture, double)}.
     *
     * @param <T> the result type
     * @param future the future
     * @param timeout the most time to wait
     * @return the future's result
     */
    public static <T> T waitFor(AsyncFuture<? extends T> future, Duration timeout) {
        return waitFor(future, durationSeconds(timeout));
    }

    private static void cancelAndWait(AsyncFuture<?> f) {
        EventLoop loop = f.loop;
        AsyncFuture<Void> waiter = loop.createFuture();
        waiter.label = Awaits.of("the cancellation of " + TaskDump.describe(f), f);
        Consumer<AsyncFuture<?>> release = x -> waiter.trySetResult(null);
        addCallback(f, release);
        try {
            f.cancel();
            waiter.await();
        } finally {
            removeCallback(f, release);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void addCallback(AsyncFuture<?> f, Consumer<AsyncFuture<?>> cb) {
        ((AsyncFuture) f).addDoneCallback(cb);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void removeCallback(AsyncFuture<?> f, Consumer<AsyncFuture<?>> cb) {
        ((AsyncFuture) f).removeDoneCallback(cb);
    }

    /**
     * Protects {@code inner} from cancellation: cancelling the returned future (or the task awaiting
     * it) does not cancel {@code inner}, which goes on running. Mirrors {@code shield}. If
     * {@code inner} is cancelled by other means, the returned future is cancelled too. A future
     * already done is returned as is.
     *
     * @param <T> the result type
     * @param inner the future to protect
     * @return a future that follows {@code inner}
     */
    public static <T> AsyncFuture<T> shield(AsyncFuture<T> inner) {
        Objects.requireNonNull(inner, "inner");
        if (inner.isDone()) {
            return inner;
        }
        AsyncFuture<T> outer = inner.loop.createFuture();
        outer.label = Awaits.of("shield(" + TaskDump.describe(inner) + ")", inner);
        Consumer<AsyncFuture<T>> innerDone = i -> {
            if (outer.isCancelled()) {
                // Nobody will see the inner's outcome through the outer: a failure stays
                // unretrieved, so it is reported (once, however many shields) as asyncio does.
                return;
            }
            if (i.isCancelled()) {
                outer.cancel();
            } else if (i.peekException() != null) {
                i.markRetrieved();
                outer.setException(i.peekException());
            } else {
                outer.setResult(i.outcome());
            }
        };
        inner.addDoneCallback(innerDone);
        outer.addDoneCallback(o -> {
            if (!inner.isDone()) {
                inner.removeDoneCallback(innerDone);
            }
        });
        return outer;
    }

    // ------------------------------------------------------------------ asCompleted

    /**
     * The given futures themselves, in the order they complete; see
     * {@link #asCompleted(Collection, double)}.
     *
     * @param <F> the future type
     * @param futures the futures
     * @return an iterable whose {@code next()} waits; iterating it again resumes where it stopped
     */
    public static <F extends AsyncFuture<?>> Iterable<F> asCompleted(Collection<F> futures) {
        return asCompleted(futures, Double.POSITIVE_INFINITY);
    }

    /**
     * The given futures themselves, in the order they complete, within an overall timeout.
     * Mirrors asyncio 3.13's {@code async for f in as_completed(fs, timeout=)}, which yields the
     * original tasks. Iterate it in a task: {@code next()} waits for the next completion and, once
     * the timeout has passed, throws {@link AsyncTimeoutException}; the futures are not cancelled.
     * Duplicates are handed back once.
     *
     * <pre>{@code
     * for (Task<Page> t : Asyncio.asCompleted(tasks, 10)) {
     *     show(t.result());
     * }
     * }</pre>
     *
     * @param <F> the future type
     * @param futures the futures, all of the running loop
     * @param timeout seconds for all of them; {@code +Infinity} for no limit
     * @return an iterable whose {@code next()} waits; iterating it again resumes where it stopped
     */
    public static <F extends AsyncFuture<?>> Iterable<F> asCompleted(Collection<F> futures, double timeout) {
        EventLoop.checkDelay(timeout);
        EventLoop loop = EventLoop.getRunningLoop();
        return new AsCompleted<>(loop, futures, EventLoop.addDelay(loop.timeNanos(), timeout));
    }

    // ------------------------------------------------------------------ timeouts

    /**
     * A raising deadline {@code seconds} from now; run a block under it with
     * {@link Timeout#run}. Mirrors {@code asyncio.timeout(delay)}.
     *
     * @param seconds the delay; {@code +Infinity} for none
     * @return the scope
     */
    public static Timeout timeout(double seconds) {
        EventLoop loop = EventLoop.getRunningLoop();
        return new Timeout(loop, deadline(loop, seconds), true);
    }

    /**
     * A raising deadline {@code duration} from now; see {@link #timeout(double)}.
     *
     * @param duration the delay
     * @return the scope
     */
    public static Timeout timeout(Duration duration) {
        return timeout(durationSeconds(duration));
    }

    /**
     * A raising deadline at {@code when} on the loop's clock ({@link EventLoop#time()}). Mirrors
     * {@code asyncio.timeout_at(when)}.
     *
     * @param when the deadline; {@code +Infinity} for none
     * @return the scope
     */
    public static Timeout timeoutAt(double when) {
        return new Timeout(EventLoop.getRunningLoop(), when, true);
    }

    /**
     * A deadline {@code seconds} from now that does not raise: the block is cancelled and
     * {@link Timeout#run} returns {@code null} (Trio's {@code move_on_after}).
     *
     * @param seconds the delay; {@code +Infinity} for none
     * @return the scope
     */
    public static Timeout moveOnAfter(double seconds) {
        EventLoop loop = EventLoop.getRunningLoop();
        return new Timeout(loop, deadline(loop, seconds), false);
    }

    /**
     * A deadline at {@code when} on the loop's clock that does not raise (Trio's
     * {@code move_on_at}).
     *
     * @param when the deadline; {@code +Infinity} for none
     * @return the scope
     */
    public static Timeout moveOnAt(double when) {
        return new Timeout(EventLoop.getRunningLoop(), when, false);
    }

    /** {@code seconds} from now on the loop's clock, as {@code loop.time() + delay}; +Infinity for none. */
    private static double deadline(EventLoop loop, double seconds) {
        EventLoop.checkDelay(seconds);
        return seconds == Double.POSITIVE_INFINITY ? seconds : loop.time() + seconds;
    }

    private static double durationSeconds(Duration d) {
        Objects.requireNonNull(d, "duration");
        if (d.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative, got " + d);
        }
        return d.getSeconds() + d.getNano() / 1e9;
    }

    // ------------------------------------------------------------------ threads

    /**
     * Runs blocking {@code fn} on the loop's default executor (a virtual thread per call) and
     * waits for its result without blocking the loop. Mirrors {@code to_thread}.
     *
     * <p><b>Cancellation.</b> A cancellation point: the caller gets {@link CancelledError} at once
     * and the worker thread is interrupted (asyncio cannot stop the thread). The work runs in a copy
     * of the caller's {@link Context}.
     *
     * @param <T> the result type
     * @param fn the blocking work
     * @return its result
     */
    public static <T> T toThread(Callable<? extends T> fn) {
        Task<?> t = EventLoop.requireCurrentTask("wait for a thread");
        Context ctx = Context.copyCurrent(); // the worker sees the caller's context variables, as in asyncio
        AsyncFuture<T> f = t.loop.runInExecutor(null, () -> ctx.run(fn));
        return f.await();
    }

    /**
     * Runs blocking {@code fn}, which returns nothing; see {@link #toThread(Callable)}.
     *
     * @param fn the blocking work
     */
    public static void toThread(CheckedRunnable fn) {
        toThread(EventLoop.asCallable(fn));
    }

    // ------------------------------------------------------------------ streams and subprocesses

    /**
     * Connects over TCP and returns a stream reader and writer. Mirrors {@code open_connection};
     * see {@link io.jasyncio.streams.Streams#openConnection(String, int)}.
     *
     * <p>A cancellation point: if cancelled, nothing stays open.
     *
     * @param host a host name or literal address
     * @param port the port
     * @return the reader and writer
     * @throws java.io.IOException if the connect fails
     */
    public static io.jasyncio.streams.StreamConnection openConnection(String host, int port) throws java.io.IOException {
        return io.jasyncio.streams.Streams.openConnection(host, port);
    }

    /**
     * Connects with options (TLS, time limit) and a reader limit; see
     * {@link io.jasyncio.streams.Streams#openConnection(String, int, io.jasyncio.net.ConnectOptions, int)}.
     *
     * <p>A cancellation point: if cancelled, nothing stays open.
     *
     * @param host a host name or literal address
     * @param port the port
     * @param options how to connect
     * @param limit the reader's buffer limit
     * @return the reader and writer
     * @throws java.io.IOException if the connect fails
     */
    public static io.jasyncio.streams.StreamConnection openConnection(String host, int port,
            io.jasyncio.net.ConnectOptions options, int limit) throws java.io.IOException {
        return io.jasyncio.streams.Streams.openConnection(host, port, options, limit);
    }

    /**
     * Listens on {@code host:port}; each connection runs {@code handler} as a task of its own.
     * Mirrors {@code start_server}; see
     * {@link io.jasyncio.streams.Streams#startServer(io.jasyncio.streams.ClientConnectedHandler, String, int)}.
     *
     * @param handler what each connection runs
     * @param host where to listen, or null for everywhere
     * @param port the port, 0 for any free one
     * @return the server, listening
     * @throws java.io.IOException if the bind fails
     */
    public static io.jasyncio.net.Server startServer(io.jasyncio.streams.ClientConnectedHandler handler, String host,
            int port) throws java.io.IOException {
        return io.jasyncio.streams.Streams.startServer(handler, host, port);
    }

    /**
     * Listens with options (backlog, reuse-port, TLS) and a reader limit per connection.
     *
     * @param handler what each connection runs
     * @param host where to listen, or null for everywhere
     * @param port the port, 0 for any free one
     * @param options how to listen
     * @param limit each reader's buffer limit
     * @return the server, listening
     * @throws java.io.IOException if the bind fails
     */
    public static io.jasyncio.net.Server startServer(io.jasyncio.streams.ClientConnectedHandler handler, String host,
            int port, io.jasyncio.net.ServerOptions options, int limit) throws java.io.IOException {
        return io.jasyncio.streams.Streams.startServer(handler, host, port, options, limit);
    }

    /**
     * Connects to a Unix domain socket. Mirrors {@code open_unix_connection}.
     *
     * <p>A cancellation point: if cancelled, nothing stays open.
     *
     * @param path the socket's path
     * @return the reader and writer
     * @throws java.io.IOException if the connect fails
     */
    public static io.jasyncio.streams.StreamConnection openUnixConnection(java.nio.file.Path path)
            throws java.io.IOException {
        return io.jasyncio.streams.Streams.openUnixConnection(path);
    }

    /**
     * Listens on a Unix domain socket. Mirrors {@code start_unix_server}.
     *
     * @param handler what each connection runs
     * @param path the socket's path
     * @return the server, listening
     * @throws java.io.IOException if the bind fails
     */
    public static io.jasyncio.net.Server startUnixServer(io.jasyncio.streams.ClientConnectedHandler handler,
            java.nio.file.Path path) throws java.io.IOException {
        return io.jasyncio.streams.Streams.startUnixServer(handler, path);
    }

    /**
     * Starts a program. Mirrors {@code create_subprocess_exec}; see
     * {@link io.jasyncio.subprocess.Subprocess#createSubprocessExec(List, io.jasyncio.subprocess.SubprocessOptions)}.
     *
     * @param args the program and its arguments
     * @param options pipes, directory, environment
     * @return the running process
     * @throws java.io.IOException if it cannot be started
     */
    public static io.jasyncio.subprocess.AsyncProcess createSubprocessExec(List<String> args,
            io.jasyncio.subprocess.SubprocessOptions options) throws java.io.IOException {
        return io.jasyncio.subprocess.Subprocess.createSubprocessExec(args, options);
    }

    /**
     * Runs a shell command line ({@code /bin/sh -c}). Mirrors {@code create_subprocess_shell}.
     *
     * @param command the command line
     * @param options pipes, directory, environment
     * @return the running process
     * @throws java.io.IOException if it cannot be started
     */
    public static io.jasyncio.subprocess.AsyncProcess createSubprocessShell(String command,
            io.jasyncio.subprocess.SubprocessOptions options) throws java.io.IOException {
        return io.jasyncio.subprocess.Subprocess.createSubprocessShell(command, options);
    }

    /**
     * Schedules {@code body} as a task of {@code loop} from any other thread. Mirrors
     * {@code run_coroutine_threadsafe}. The returned future completes when the task does;
     * cancelling it cancels the task.
     *
     * @param <T> the result type
     * @param body the task's body
     * @param loop the loop to run it on
     * @return a future for the task's outcome, safe to use from any thread
     * @throws IllegalStateException if the loop is closed
     */
    public static <T> CompletableFuture<T> runCoroutineThreadsafe(Callable<? extends T> body, EventLoop loop) {
        Objects.requireNonNull(body, "body");
        ThreadsafeCall<T> call = new ThreadsafeCall<>(loop);
        loop.callSoonThreadsafe(() -> call.start(body));
        return call;
    }

    /**
     * A future of the running loop that follows {@code stage}. Mirrors {@code wrap_future}.
     *
     * @param <T> the result type
     * @param stage a stage completed by any thread
     * @return the future
     */
    public static <T> AsyncFuture<T> wrapFuture(CompletionStage<? extends T> stage) {
        return EventLoop.getRunningLoop().wrapFuture(stage);
    }

    /**
     * A future of the running loop that follows {@code future}; cancelling it cancels
     * {@code future}. (Settles the overload: a {@link CompletableFuture} is both a stage and a
     * {@link java.util.concurrent.Future}.)
     *
     * @param <T> the result type
     * @param future a future completed by any thread
     * @return the future
     */
    public static <T> AsyncFuture<T> wrapFuture(CompletableFuture<? extends T> future) {
        return EventLoop.getRunningLoop().wrapFuture(future);
    }

    /**
     * A future of the running loop that follows a plain {@link java.util.concurrent.Future}
     * (what an {@link java.util.concurrent.ExecutorService} returns), watched by a virtual thread
     * so the loop never blocks; cancelling it cancels {@code future} with interruption. See
     * {@link EventLoop#wrapFuture(java.util.concurrent.Future)}.
     *
     * @param <T> the result type
     * @param future a future completed by any thread
     * @return the future
     */
    public static <T> AsyncFuture<T> wrapFuture(java.util.concurrent.Future<? extends T> future) {
        return EventLoop.getRunningLoop().wrapFuture(future);
    }

    /** The future {@link #runCoroutineThreadsafe} returns. */
    private static final class ThreadsafeCall<T> extends CompletableFuture<T> {
        private final EventLoop loop;
        private volatile Task<? extends T> task;

        ThreadsafeCall(EventLoop loop) {
            this.loop = loop;
        }

        void start(Callable<? extends T> body) {
            if (isDone()) {
                return;
            }
            Task<? extends T> t = loop.createTask(body);
            task = t;
            t.addDoneCallback(f -> {
                if (f.isCancelled()) {
                    super.cancel(false);
                } else if (f.peekException() != null) {
                    f.markRetrieved();
                    completeExceptionally(f.peekException());
                } else {
                    complete(f.outcome());
                }
            });
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean c = super.cancel(mayInterruptIfRunning);
            if (c) {
                try {
                    loop.callSoonThreadsafe(() -> {
                        Task<? extends T> t = task;
                        if (t != null) {
                            t.cancel();
                        }
                    });
                } catch (IllegalStateException closedLoop) {
                    // Nothing left to cancel.
                }
            }
            return c;
        }
    }
}
