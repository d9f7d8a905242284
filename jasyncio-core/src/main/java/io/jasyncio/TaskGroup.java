package io.jasyncio;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Structured concurrency: a scope whose child tasks never outlive it. Mirrors asyncio 3.11's
 * {@code TaskGroup} (including 3.14's {@link #cancel()}), with two additions from Trio and Kotlin:
 * a {@linkplain #supervise supervising} variant whose children fail independently, and
 * {@link #start} that waits until a child reports it is ready.
 *
 * <p>Java cannot see the exception leaving a try-with-resources block, so a group scopes a lambda
 * instead of an {@code async with} block:
 *
 * <pre>{@code
 * TaskGroup.run(g -> {
 *     g.createTask(() -> fetch("a"));
 *     g.createTask(() -> fetch("b"));
 * });                                   // returns when both are done
 * int n = TaskGroup.call(g -> { ...; return count; });
 * }</pre>
 *
 * <p><b>Rules</b> (asyncio's): the body runs in the calling task; when it ends, the group waits for
 * every child. The first child to fail (with anything but {@link CancelledError}) cancels the other
 * children and the body; once all are done, every failure, the body's included, is thrown together
 * as an {@link ExceptionGroup}. A cancellation of the calling task from outside cancels the children
 * too and is rethrown as {@link CancelledError} once they are done, unless there are errors, which
 * take priority. The group withdraws the cancellations it made itself ({@link Task#uncancel()}), so
 * code after the group runs normally. A {@link VirtualMachineError} from a child or the body is
 * rethrown alone, as asyncio does with {@code KeyboardInterrupt}; the other failures then go to the
 * loop's exception handler.
 */
public final class TaskGroup {
    /** The body of a group that returns nothing. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs in the task that runs the group; it may create children and await them.
         *
         * @param group the group, to create children in
         * @throws Exception anything; it joins the group's errors
         */
        void run(TaskGroup group) throws Exception;
    }

    /**
     * The body of a group that returns a value.
     *
     * @param <T> the value type
     */
    @FunctionalInterface
    public interface ValueBody<T> {
        /**
         * Runs in the task that runs the group; its value is the group's result once every child
         * is done.
         *
         * @param group the group, to create children in
         * @return the body's value
         * @throws Exception anything; it joins the group's errors
         */
        T call(TaskGroup group) throws Exception;
    }

    /**
     * The body of a child started with {@link #start}: it reports readiness through the status.
     *
     * @param <T> the type of the value it reports
     */
    @FunctionalInterface
    public interface StartBody<T> {
        /**
         * Runs as a child of the group; it calls {@code status.started(value)} once ready, which
         * ends the wait of {@link #start}.
         *
         * @param status call {@link TaskStatus#started} once ready
         * @throws Exception anything
         */
        void run(TaskStatus<T> status) throws Exception;
    }

    /**
     * How a child started with {@link #start} reports that it is ready.
     *
     * @param <T> the type of the value it reports
     */
    public interface TaskStatus<T> {
        /**
         * Reports readiness with a value, which {@link #start} returns.
         *
         * @param value the value
         * @throws InvalidStateException if called twice
         */
        void started(T value);

        /** Reports readiness without a value. */
        default void started() {
            started(null);
        }
    }

    private final EventLoop loop;
    private final Task<?> parent;
    private final boolean supervising;
    private final Consumer<AsyncFuture<?>> onDone = this::onTaskDone;
    private final Set<Task<?>> tasks = new LinkedHashSet<>();
    private final Set<Task<?>> starting = new LinkedHashSet<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final List<Task<?>> failedChildren = new ArrayList<>();
    private Throwable baseError;
    private boolean exiting;
    private boolean aborting;
    private boolean parentCancelRequested;
    private AsyncFuture<Boolean> onCompleted;

    private TaskGroup(EventLoop loop, Task<?> parent, boolean supervising) {
        this.loop = loop;
        this.parent = parent;
        this.supervising = supervising;
    }

    /**
     * Runs {@code body} in a new group and waits for all its children.
     *
     * @param body creates the children
     * @throws ExceptionGroup if any child or the body failed
     * @throws CancelledError if the calling task was cancelled from outside
     * @throws IllegalStateException if not called by a task
     */
    public static void run(Body body) {
        Objects.requireNonNull(body, "body");
        call(g -> {
            body.run(g);
            return null;
        });
    }

    /**
     * Runs {@code body} in a new group, waits for all its children, and returns the body's value.
     *
     * @param <T> the value type
     * @param body creates the children and computes the value
     * @return the body's value; {@code null} if the group was stopped with {@link #cancel()} before
     *     the body returned
     * @throws ExceptionGroup if any child or the body failed
     * @throws CancelledError if the calling task was cancelled from outside
     */
    public static <T> T call(ValueBody<T> body) {
        return open(false, body);
    }

    /**
     * Runs {@code body} in a supervising group (Kotlin's {@code supervisorScope}): a child's
     * failure cancels neither its siblings nor the body. Waits for all children. A failure nobody
     * retrieved (by awaiting the child or asking for its exception) is passed to the loop's
     * exception handler when the group ends. If the body fails, the children are cancelled and the
     * body's exception is rethrown once they are done.
     *
     * @param body creates the children
     * @throws CancelledError if the calling task was cancelled from outside
     */
    public static void supervise(Body body) {
        Objects.requireNonNull(body, "body");
        open(true, g -> {
            body.run(g);
            return null;
        });
    }

    private static <T> T open(boolean supervising, ValueBody<T> body) {
        Objects.requireNonNull(body, "body");
        EventLoop loop = EventLoop.getRunningLoop();
        Task<?> parent = loop.currentTaskFor("open a task group");
        TaskGroup g = new TaskGroup(loop, parent, supervising);
        // From creation on, the children are awaited by the parent in task dumps (3.14's call
        // graph links them when the group creates them), not only once the body is done.
        List<TaskGroup> open = loop.openGroups.computeIfAbsent(parent, k -> new ArrayList<>(1));
        open.add(g);
        try {
            T result = null;
            Throwable error = null;
            try {
                result = body.call(g);
            } catch (Throwable e) {
                error = e;
            }
            g.exit(error);
            return result;
        } finally {
            open.remove(g);
            if (open.isEmpty()) {
                loop.openGroups.remove(parent);
            }
        }
    }

    /** The children still running, for task dumps. */
    Collection<Task<?>> children() {
        return tasks;
    }

    /**
     * Creates a child task.
     *
     * @param <T> the result type
     * @param body the child's body
     * @return the child
     * @throws IllegalStateException if the group is finished or shutting down
     */
    public <T> Task<T> createTask(Callable<? extends T> body) {
        return adoptNew(null, body, null);
    }

    /**
     * Creates a child task that runs in {@code context} itself (asyncio's
     * {@code TaskGroup.create_task(coro, context=ctx)}).
     *
     * @param <T> the result type
     * @param context the context the child runs in
     * @param body the child's body
     * @return the child
     * @throws IllegalStateException if the group is finished or shutting down
     */
    public <T> Task<T> createTask(Context context, Callable<? extends T> body) {
        return adoptNew(null, body, Objects.requireNonNull(context, "context"));
    }

    /**
     * Creates a child task that returns nothing and runs in {@code context} itself.
     *
     * @param context the context the child runs in
     * @param body the child's body
     * @return the child
     */
    public Task<Void> createTask(Context context, CheckedRunnable body) {
        return adoptNew(null, body, Objects.requireNonNull(context, "context"));
    }

    /**
     * Creates a child task that returns nothing.
     *
     * @param body the child's body
     * @return the child
     */
    public Task<Void> createTask(CheckedRunnable body) {
        return adoptNew(null, body, null);
    }

    /**
     * Creates a named child task.
     *
     * @param <T> the result type
     * @param name the child's name, or {@code null}
     * @param body the child's body
     * @return the child
     * @throws IllegalStateException if the group is finished or shutting down
     */
    public <T> Task<T> createTask(String name, Callable<? extends T> body) {
        return adoptNew(name, body, null);
    }

    /**
     * Creates a named child task that returns nothing.
     *
     * @param name the child's name, or {@code null}
     * @param body the child's body
     * @return the child
     */
    public Task<Void> createTask(String name, CheckedRunnable body) {
        return adoptNew(name, body, null);
    }

    private <T> Task<T> adoptNew(String name, Object body, Context context) {
        Objects.requireNonNull(body, "body");
        checkOpen();
        Task<T> t = loop.createTaskOf(name, null, body, context);
        adopt(t);
        return t;
    }

    private void checkOpen() {
        loop.checkThread("create a task in a task group");
        if (exiting && tasks.isEmpty()) {
            throw new IllegalStateException("TaskGroup is finished: " + this);
        }
        if (aborting) {
            throw new IllegalStateException("TaskGroup is shutting down: " + this);
        }
    }

    private void adopt(Task<?> t) {
        // Always through a callback, even if an eager child is already done (gh-128550).
        tasks.add(t);
        t.addDoneCallback(onDone);
        // An eager child may have stopped the group while it was being created (gh-155418).
        if (aborting && !t.isDone()) {
            t.cancel();
        }
    }

    /**
     * Starts a child and waits until it calls {@link TaskStatus#started}, then returns the value it
     * reported; the child goes on running in the group. Mirrors Trio's {@code nursery.start}. If the
     * child fails or ends before reporting, its exception (or an {@link IllegalStateException}) is
     * thrown here and is not one of the group's errors.
     *
     * <p><b>Cancellation.</b> A cancellation point: if the calling task is cancelled while waiting,
     * the child is cancelled too.
     *
     * @param <T> the type of the reported value
     * @param body the child's body
     * @return the value the child reported
     */
    public <T> T start(StartBody<T> body) {
        Objects.requireNonNull(body, "body");
        checkOpen();
        Starter<T> status = new Starter<>(loop.createFuture());
        Task<Void> child = loop.createTaskOf(null, null, (CheckedRunnable) () -> body.run(status));
        status.child = child;
        status.ready.label = Awaits.of("TaskGroup.start: Task '" + child.getName() + "' to report started", child);
        starting.add(child);
        adopt(child);
        AsyncFuture<T> ready = status.ready;
        child.addDoneCallback(c -> {
            if (!ready.isDone()) {
                Throwable e = c.isCancelled() ? c.makeCancelledError() : c.peekException();
                if (e != null) {
                    c.markRetrieved();
                    ready.setException(e);
                } else {
                    ready.setException(new IllegalStateException("the child ended without calling started()"));
                }
            }
        });
        try {
            return ready.await();
        } catch (CancelledError ce) {
            if (!ready.isDone() || ready.isCancelled()) {
                child.cancel();
            }
            throw ce;
        }
    }

    /** The status handed to a child of {@link #start}; from {@code started()} on, the child is an ordinary member. */
    private final class Starter<T> implements TaskStatus<T> {
        final AsyncFuture<T> ready;
        Task<?> child;

        Starter(AsyncFuture<T> ready) {
            this.ready = ready;
        }

        @Override
        public void started(T value) {
            if (ready.isDone()) {
                throw new InvalidStateException("started() was already called");
            }
            starting.remove(child);
            ready.setResult(value);
        }
    }

    /**
     * Stops the group from inside: cancels every child that is not done, and the body. The group
     * then ends without {@link CancelledError} (asyncio 3.14's {@code TaskGroup.cancel}). Calling it
     * again, or after the group ended, does nothing.
     */
    public void cancel() {
        loop.checkThread("cancel a task group");
        if (exiting && tasks.isEmpty()) {
            return;
        }
        if (!aborting) {
            String reason = "task group: cancel() called by " + loop.describeCaller();
            abort(reason);
            if (!parentCancelRequested) {
                parentCancelRequested = true;
                parent.cancelWith(null, reason);
            }
        }
    }

    /** {@return whether the group is cancelling its children (a failure, a cancel, or the body's exit by error)} */
    public boolean isCancelling() {
        return aborting;
    }

    /** {@return the children that are not done} */
    public Set<Task<?>> tasks() {
        return Set.copyOf(tasks);
    }

    private void abort() {
        abort(null);
    }

    private void abort(String reason) {
        aborting = true;
        for (Task<?> t : List.copyOf(tasks)) {
            if (!t.isDone()) {
                t.cancelWith(null, reason);
            }
        }
    }

    private void onTaskDone(AsyncFuture<?> f) {
        Task<?> task = (Task<?>) f;
        tasks.remove(task);
        boolean wasStarting = starting.remove(task);
        if (onCompleted != null && tasks.isEmpty() && !onCompleted.isDone()) {
            onCompleted.setResult(Boolean.TRUE);
        }
        if (task.isCancelled() || wasStarting) {
            return;
        }
        Throwable exc = task.peekException();
        if (exc == null) {
            return;
        }
        if (supervising) {
            failedChildren.add(task);
            return;
        }
        task.markRetrieved();
        errors.add(exc);
        if (exc instanceof VirtualMachineError && baseError == null) {
            baseError = exc;
        }
        if (parent.isDone()) {
            loop.callExceptionHandler(ExceptionContext.builder("Task " + task
                    + " has errored out but its parent task " + parent + " is already completed")
                    .exception(exc).future(task).build());
            return;
        }
        if (!aborting && !parentCancelRequested) {
            // Cancel the body too, so that it stops what it awaits; the exit withdraws this
            // cancellation so that code after the group runs normally.
            String reason = "task group: " + task.getName() + " failed with " + exc;
            abort(reason);
            parentCancelRequested = true;
            parent.cancelWith(null, reason);
        }
    }

    private void exit(Throwable exc) {
        exiting = true;
        if (exc instanceof VirtualMachineError && baseError == null) {
            baseError = exc;
        }
        Throwable propagateCancel = exc instanceof CancelledError ? exc : null;
        if (exc != null && !aborting) {
            abort();
        }
        CancelledError pendingCancel = null;
        while (!tasks.isEmpty()) {
            if (onCompleted == null) {
                onCompleted = loop.createFuture();
                onCompleted.label = Awaits.of((supervising ? "supervising " : "") + "task group exit, "
                        + tasks.size() + (tasks.size() == 1 ? " child" : " children"), tasks);
            }
            try {
                onCompleted.await();
            } catch (CancelledError ce) {
                pendingCancel = ce;
                if (!aborting) {
                    // The calling task is cancelled from outside while children still run.
                    propagateCancel = ce;
                    abort();
                }
            }
            onCompleted = null;
        }
        if (supervising) {
            reportUnretrieved();
        }
        if (baseError != null) {
            for (Throwable e : errors) {
                if (e != baseError) {
                    loop.callExceptionHandler(ExceptionContext.builder("TaskGroup task exception was not propagated"
                            + " because the TaskGroup is being closed with a VirtualMachineError").exception(e).build());
                }
            }
            throw Sneaky.<RuntimeException>rethrow(baseError);
        }
        if (parentCancelRequested) {
            if (parent.uncancel() == 0) {
                // No cancellation is pending but ours: do not propagate it.
                propagateCancel = null;
            } else if (propagateCancel == null) {
                // The remaining cancellation is not ours: do not drop it (gh-155433).
                propagateCancel = pendingCancel;
            }
        }
        if (propagateCancel != null && errors.isEmpty()) {
            throw Sneaky.<RuntimeException>rethrow(propagateCancel);
        }
        if (supervising) {
            if (exc != null && !(exc instanceof CancelledError)) {
                throw Sneaky.<RuntimeException>rethrow(exc);
            }
            return;
        }
        if (exc != null && !(exc instanceof CancelledError)) {
            errors.add(exc);
        }
        if (!errors.isEmpty()) {
            if (parent.cancelling() > 0) {
                // Keep the count of an outside cancellation stable.
                parent.uncancel();
                parent.cancel();
            }
            throw new ExceptionGroup("unhandled errors in a TaskGroup", errors);
        }
    }

    private void reportUnretrieved() {
        for (Task<?> t : failedChildren) {
            if (!t.isRetrieved()) {
                t.markRetrieved();
                loop.callExceptionHandler(ExceptionContext.builder("Task exception was never retrieved")
                        .exception(t.peekException()).future(t).build());
            }
        }
        failedChildren.clear();
    }

    @Override
    public String toString() {
        List<String> info = new ArrayList<>();
        if (supervising) {
            info.add("supervising");
        }
        if (!tasks.isEmpty()) {
            info.add("tasks=" + tasks.size());
        }
        if (!errors.isEmpty()) {
            info.add("errors=" + errors.size());
        }
        info.add(aborting ? "cancelling" : exiting ? "exiting" : "entered");
        return "TaskGroup" + info;
    }
}
