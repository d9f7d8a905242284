package io.jasyncio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Runs several top-level bodies on one loop, then cleans up. Mirrors asyncio 3.11's {@code Runner};
 * {@link Asyncio#run} is a runner used once.
 *
 * <pre>{@code
 * try (Runner runner = new Runner()) {
 *     runner.run(() -> connect());
 *     runner.run(() -> serve());
 * }
 * }</pre>
 *
 * <p>{@link #close()} cancels the tasks still pending and waits for them, reports those that ended
 * with an exception to the loop's exception handler, shuts down the default executor, and closes
 * the loop. Not thread-safe: use a runner from one thread.
 *
 * <h2>Ctrl-C</h2>
 * As in asyncio 3.11, while {@link #run} runs a main task on the JVM's main thread, the first
 * SIGINT cancels that task (with the message {@code "interrupted by SIGINT"}) instead of ending the
 * JVM at once: task groups cancel their children, {@code finally} blocks and
 * {@link AsyncExitStack}s run, and if the task then ends cancelled, {@code run} throws
 * {@link KeyboardInterruptException} (catch it and {@code System.exit(e.exitStatus())} to exit with
 * 130, as CPython does). A second SIGINT while the task unwinds gets the JVM's default behaviour:
 * the shutdown hooks run and the JVM exits with status 130. When {@code run} returns, SIGINT is
 * given back to the handler it had before.
 *
 * <p>The runner leaves SIGINT alone when a loop handles it ({@link EventLoop#addSignalHandler}:
 * such a handler also takes SIGINT over from a running runner), when the process ignores it (a
 * shell's background job), when the JVM keeps it ({@code -Xrs}), when
 * {@code -Djasyncio.sigint=false} is set, or when {@link #cancelOnSigint cancelOnSigint(false)}
 * says so. On another thread than the main one (CPython's rule, so that a library running a loop
 * in a worker thread does not change what Ctrl-C does to the application) it claims SIGINT only
 * after {@code cancelOnSigint(true)}; several runners that claim it are all cancelled by the first
 * SIGINT.
 */
public final class Runner implements AutoCloseable {
    private final Supplier<EventLoop> loopFactory;
    private EventLoop loop;
    private boolean closed;
    /** Whether run() claims SIGINT: null for the default (the main thread, unless jasyncio.sigint=false). */
    private Boolean cancelOnSigint;
    /** The context every run's main task runs in, as CPython's Runner keeps one (made on first run). */
    private Context context;

    /** A runner whose loop has the default settings. */
    public Runner() {
        this(EventLoop::newEventLoop);
    }

    /**
     * A runner whose loop comes from {@code loopFactory} (for a debug loop, a test clock, a
     * scheduling mode).
     *
     * @param loopFactory makes the loop, once, on first use
     */
    public Runner(Supplier<EventLoop> loopFactory) {
        this.loopFactory = Objects.requireNonNull(loopFactory, "loopFactory");
    }

    /**
     * A runner over a loop configured by {@code builder}.
     *
     * @param builder the loop's configuration
     */
    public Runner(EventLoop.Builder builder) {
        this(builder::build);
    }

    /**
     * The runner's loop, created on first use.
     *
     * @return the loop
     * @throws IllegalStateException if the runner is closed
     */
    public EventLoop getLoop() {
        if (closed) {
            throw new IllegalStateException("Runner is closed");
        }
        if (loop == null) {
            loop = loopFactory.get();
        }
        return loop;
    }

    /**
     * Runs {@code main} as a task on the runner's loop until it completes. Every run's task runs
     * in the same context, the runner's (a copy of the caller's taken at the first run), as in
     * CPython's {@code Runner}: a context variable set by one run is seen by the next.
     *
     * <p><b>Other exceptions.</b> What {@code main} throws, unchanged: checked ones too, although
     * the method declares none (they are rethrown as they are, not wrapped; catch {@code Exception}
     * to handle them).
     *
     * @param <T> the result type
     * @param main the body
     * @return its result
     * @throws IllegalStateException if called from a running loop or after {@link #close()}
     * @throws KeyboardInterruptException if a SIGINT cancelled {@code main} and it ended cancelled
     */
    public <T> T run(Callable<? extends T> main) {
        Objects.requireNonNull(main, "main");
        if (EventLoop.ownedBy(Thread.currentThread()) != null) {
            throw new IllegalStateException("Runner.run() cannot be called from a running event loop");
        }
        EventLoop l = getLoop();
        if (context == null) {
            context = Context.copyCurrent();
        }
        Task<T> task = l.createTaskOf(null, Boolean.FALSE, main, context);
        Signals.RunnerHook sigint = claimsSigint() ? Signals.runnerStarted(l, task) : null;
        try {
            return l.runUntilComplete(task);
        } catch (CancelledError e) {
            // As CPython's Runner: only a cancellation the signal asked for, and that the task did
            // not absorb, becomes the interrupt.
            // A SIGINT whose cancellation came after the task had ended cancelled for another
            // reason counts as a second request (CPython's handler cancels at once): the run ends
            // with the CancelledError, not the interrupt.
            if (sigint != null && sigint.interrupted() && sigint.delivered() && task.isCancelled()
                    && task.uncancel() == 0) {
                throw new KeyboardInterruptException(e);
            }
            throw e;
        } finally {
            if (sigint != null) {
                Signals.runnerFinished(sigint);
            }
        }
    }

    /**
     * Says whether {@link #run} lets the first SIGINT cancel the main task (see <em>Ctrl-C</em>
     * above). By default it does on the JVM's main thread unless {@code -Djasyncio.sigint=false}
     * is set; {@code true} claims SIGINT on any thread, {@code false} never.
     *
     * @param on whether to cancel the main task on SIGINT
     * @return this runner
     */
    public Runner cancelOnSigint(boolean on) {
        this.cancelOnSigint = on;
        return this;
    }

    private boolean claimsSigint() {
        if (cancelOnSigint != null) {
            return cancelOnSigint;
        }
        Thread me = Thread.currentThread();
        return !me.isVirtual() && "main".equals(me.getName())
                && !"false".equalsIgnoreCase(System.getProperty("jasyncio.sigint", "true").trim());
    }

    /**
     * Runs {@code main}, which returns nothing, as a task until it completes.
     *
     * @param main the body
     */
    public void run(CheckedRunnable main) {
        run(EventLoop.asCallable(main));
    }

    /** Cancels what is left, closes unfinished async generators, shuts down the default executor and closes the loop. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        EventLoop l = loop;
        closed = true;
        if (l == null || l.isClosed()) {
            return;
        }
        try {
            cancelAllTasks(l);
            l.runUntilComplete(l.shutdownAsyncGenerators());
            l.runUntilComplete(l.shutdownDefaultExecutor());
        } finally {
            l.close();
            loop = null;
        }
    }

    private static void cancelAllTasks(EventLoop loop) {
        Set<Task<?>> left = loop.allTasks();
        if (left.isEmpty()) {
            return;
        }
        List<Task<?>> tasks = new ArrayList<>(left);
        for (Task<?> t : tasks) {
            t.cancel();
        }
        loop.runUntilComplete(GatheringFuture.over(tasks, true));
        for (Task<?> t : tasks) {
            if (!t.isCancelled() && t.peekException() != null) {
                loop.callExceptionHandler(ExceptionContext.builder("unhandled exception during Asyncio.run() shutdown")
                        .exception(t.exception()).future(t).build());
            }
        }
    }
}
