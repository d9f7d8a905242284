package io.jasyncio;

import io.jasyncio.internal.LoopBinding;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A producer of values written as a lambda that {@linkplain Emitter#emit emits} them and may await
 * freely in between: Python's async generator. The consumer iterates it with a plain for-each
 * inside a task; each step runs the producer until its next {@code emit}.
 *
 * <pre>{@code
 * try (AsyncGenerator<Row> rows = AsyncGenerator.of(out -> {
 *     Cursor c = db.open(query);
 *     try {
 *         while (c.fetch()) {           // may await
 *             out.emit(c.row());        // suspends until the consumer asks for the next one
 *         }
 *     } finally {
 *         c.close();                    // runs at once when the consumer stops early
 *     }
 * })) {
 *     for (Row r : rows) {
 *         if (enough(r)) break;
 *     }
 * }                                     // close() = aclose(): the producer's finally runs now
 * }</pre>
 *
 * <p><b>Semantics</b> (Python's, point by point):
 * <ul>
 *   <li>The producer starts at the first {@code hasNext()}/{@code next()}, runs only while the
 *       consumer waits for a value, and is suspended at {@code emit} in between. It shares the
 *       consumer's {@link Context}: values it sets in context variables are the consumer's.
 *   <li>{@link #aclose()} throws {@link GeneratorExit} at the suspended {@code emit}, runs the
 *       producer's finally blocks (which may await) and returns when they are done. A producer
 *       that emits again after that gets an {@link IllegalStateException}, which {@code aclose}
 *       rethrows (Python's "async generator ignored GeneratorExit"). Closing a generator that never
 *       started just marks it closed.
 *   <li>An exception thrown by the producer comes out of the consumer's {@code hasNext()}/{@code next()},
 *       once; the generator is finished after it.
 *   <li>Cancelling the consumer while the producer runs for it cancels the producer at its current
 *       await, as if it ran in the consumer's task; the consumer's {@link CancelledError} comes
 *       after the producer's finally blocks ran.
 *   <li>Stepping a generator while another step or {@code aclose} is in progress (from another
 *       task) is an {@link IllegalStateException} (Python's "already running").
 *   <li>A generator left unclosed is closed by {@link Asyncio#run} and {@link Runner} at shutdown
 *       ({@link EventLoop#shutdownAsyncGenerators()}), and closed in a new task if it is garbage
 *       collected while suspended; debug mode reports both with the site that created it.
 * </ul>
 *
 * <p><b>Differences from Python.</b> The producer runs on a task of its own, hidden from
 * {@link Asyncio#allTasks()} but shown in task dumps, so {@link Asyncio#currentTask()} inside it
 * is that task, not the consumer (a lock taken inside the producer is held by it). There is no
 * {@code asend}/{@code athrow}: use a {@link io.jasyncio.channels.Channel} for two-way traffic.
 * Breaking out of a for-each does not close the generator (as in Python); use
 * try-with-resources, the equivalent of {@code contextlib.aclosing}.
 *
 * <p>An AsyncGenerator is its own iterator: it can be iterated once. It belongs to the loop that
 * first steps it.
 *
 * @param <T> the type of the values
 */
public final class AsyncGenerator<T> implements Iterable<T>, Iterator<T>, AutoCloseable {

    /**
     * The body of a generator.
     *
     * @param <T> the type of the values
     */
    @FunctionalInterface
    public interface Producer<T> {
        /**
         * Produces the values.
         *
         * @param out where to emit them
         * @throws Exception to end the generator with it
         */
        void produce(Emitter<T> out) throws Exception;
    }

    /**
     * Where a producer emits its values.
     *
     * @param <T> the type of the values
     */
    @FunctionalInterface
    public interface Emitter<T> {
        /**
         * Hands {@code value} to the consumer and suspends until it asks for the next one.
         *
         * @param value the value (null is allowed)
         * @throws GeneratorExit if the generator is closed meanwhile
         * @throws CancelledError if the consumer is cancelled meanwhile
         */
        void emit(T value);
    }

    private static final AtomicLong IDS = new AtomicLong();
    /** No value buffered by {@link #hasNext()}. */
    private static final Object NOTHING = new Object();

    private final Core<T> core;
    private final Cleaner.Cleanable cleanable;
    private Object buffered = NOTHING;

    private AsyncGenerator(Core<T> core) {
        this.core = core;
        this.cleanable = UnretrievedException.CLEANER.register(this, core::collected);
    }

    /**
     * A generator running {@code producer}; nothing runs until the first step.
     *
     * @param <T> the type of the values
     * @param producer the body
     * @return the generator
     */
    public static <T> AsyncGenerator<T> of(Producer<T> producer) {
        return of(null, producer);
    }

    /**
     * A named generator (the name its producer's task has in task dumps).
     *
     * @param <T> the type of the values
     * @param name the name, or {@code null} for {@code AsyncGenerator-N}
     * @param producer the body
     * @return the generator
     */
    public static <T> AsyncGenerator<T> of(String name, Producer<T> producer) {
        Objects.requireNonNull(producer, "producer");
        EventLoop here = EventLoop.ownedBy(Thread.currentThread());
        Throwable site = here != null && here.debug ? Diagnostics.creationSite("AsyncGenerator") : null;
        String n = name != null ? name : "AsyncGenerator-" + IDS.incrementAndGet();
        return new AsyncGenerator<>(new Core<>(n, producer, site));
    }

    /**
     * Runs the producer to its next value, unless one is already buffered.
     *
     * <p><b>Cancellation.</b> A cancellation point; see the class description.
     *
     * @return whether there is a next value
     */
    @Override
    public boolean hasNext() {
        if (buffered != NOTHING) {
            return true;
        }
        Object v = core.step(false);
        if (v == Core.END) {
            return false;
        }
        buffered = v;
        return true;
    }

    /**
     * The next value: Python's {@code anext}.
     *
     * @return the value
     * @throws NoSuchElementException if the producer has finished (Python's StopAsyncIteration)
     */
    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the async generator " + core.name + " has finished");
        }
        @SuppressWarnings("unchecked")
        T v = (T) buffered;
        buffered = NOTHING;
        return v;
    }

    /** @return this generator: it can be iterated once */
    @Override
    public Iterator<T> iterator() {
        return this;
    }

    /**
     * Closes the generator: {@link GeneratorExit} is thrown at the producer's suspended
     * {@code emit}, and this returns once its finally blocks have run. Does nothing if it has
     * finished; a generator that never started is just marked closed. A value buffered by
     * {@code hasNext()} is dropped.
     *
     * <p><b>Cancellation.</b> A cancellation point: cancelled while the producer cleans up, the
     * producer is cancelled too, and this throws after its finally blocks ran.
     *
     * @throws IllegalStateException if the producer emitted after being closed, or a step is in
     *     progress in another task
     */
    public void aclose() {
        buffered = NOTHING;
        core.step(true);
        cleanable.clean();
    }

    /** The same as {@link #aclose()}, for try-with-resources. */
    @Override
    public void close() {
        aclose();
    }

    /** {@return whether the producer has finished (ran to its end, failed, or was closed)} */
    public boolean isFinished() {
        return core.finished;
    }

    @Override
    public String toString() {
        return "AsyncGenerator[" + core.name + (core.finished ? ", finished" : core.task == null ? ", not started" : "") + "]";
    }

    /**
     * The generator's state, kept apart from the public object so that the object can be garbage
     * collected while its producer is suspended (the loop holds the producer's task, and the task
     * holds this).
     */
    static final class Core<T> implements Emitter<T> {
        static final Object END = new Object();

        /** How the producer failed, passed through the consumer's future. */
        private record Failure(Throwable error) {
        }

        final String name;
        private final Producer<T> producer;
        private final Throwable createdAt;
        private final LoopBinding binding = new LoopBinding(this);
        Task<Void> task;
        /** What the consumer waits for: a value, {@link #END} or a {@link Failure}. */
        private AsyncFuture<Object> item;
        /** What the producer waits for at {@code emit}: TRUE to go on, FALSE to close. */
        private AsyncFuture<Boolean> demand;
        private boolean running;
        private boolean closing;
        volatile boolean finished;

        Core(String name, Producer<T> producer, Throwable createdAt) {
            this.name = name;
            this.producer = producer;
            this.createdAt = createdAt;
        }

        /** @return the loop the generator is bound to, null before its first step */
        private EventLoop loop() {
            return binding.boundLoop();
        }

        /** Runs the producer to its next value ({@code close} false) or to its end after a close. */
        Object step(boolean close) {
            Task<?> me = binding.task(close ? "close an async generator" : "iterate an async generator");
            EventLoop l = binding.boundLoop();
            if (running) {
                throw new IllegalStateException("The async generator " + name
                        + " is already running: a step or aclose() is in progress in another task");
            }
            if (finished) {
                return END;
            }
            if (close && task == null) {
                finished = true; // never started: nothing to unwind
                return END;
            }
            running = true;
            try {
                AsyncFuture<Object> it = l.createFuture();
                it.describedAs(close ? "AsyncGenerator.aclose " + name : "AsyncGenerator.next " + name);
                item = it;
                if (task == null) {
                    start(l, me);
                } else {
                    closing |= close;
                    task.ctx = me.getContext();
                    demand.setResult(close ? Boolean.FALSE : Boolean.TRUE);
                }
                Object v;
                try {
                    v = it.await();
                } catch (CancelledError e) {
                    cancelAndJoin();
                    throw e;
                }
                if (v instanceof Failure f) {
                    throw Sneaky.<RuntimeException>rethrow(f.error);
                }
                return v;
            } finally {
                running = false;
            }
        }

        private void start(EventLoop l, Task<?> consumer) {
            task = l.createTaskOf(name, Boolean.FALSE, (java.util.concurrent.Callable<Void>) this::body);
            task.hidden = true;
            task.ctx = consumer.getContext();
            l.asyncGenerators().add(this);
        }

        private Void body() {
            Throwable failure = null;
            try {
                producer.produce(this);
            } catch (GeneratorExit e) {
                if (!closing) {
                    failure = e;
                }
            } catch (Throwable e) {
                failure = e;
            }
            finished = true;
            loop().asyncGenerators().remove(this);
            AsyncFuture<Object> it = item;
            if (it != null && !it.isDone()) {
                it.setResult(failure == null ? END : new Failure(failure));
            }
            if (failure instanceof CancelledError c) {
                throw c;
            }
            return null;
        }

        @Override
        public void emit(T value) {
            if (Task.current() != task || task == null) {
                throw new IllegalStateException("emit() must be called by the producer of " + name + ", not from another task");
            }
            if (closing) {
                throw new IllegalStateException("The async generator " + name
                        + " ignored aclose(): it emitted a value after GeneratorExit");
            }
            AsyncFuture<Boolean> d = loop().createFuture();
            d.describedAs("AsyncGenerator.emit (waiting for the consumer)");
            demand = d;
            item.setResult(value);
            if (!d.await()) {
                throw new GeneratorExit();
            }
        }

        /**
         * The consumer was cancelled while the producer ran for it: cancel the producer at its
         * await, as if it ran in the consumer's task, and wait until its finally blocks ran.
         */
        private void cancelAndJoin() {
            Task<Void> t = task;
            t.cancel();
            while (!t.isDone()) {
                try {
                    t.await();
                } catch (CancelledError again) {
                    if (!t.isDone()) {
                        t.cancel(); // the consumer was cancelled again: so is its producer
                    }
                } catch (RuntimeException failed) {
                    // The producer failed while unwinding; the consumer's cancellation wins.
                }
            }
        }

        /** The public object was garbage collected (on the cleaner's thread). */
        void collected() {
            EventLoop l = loop();
            if (finished || l == null) {
                return;
            }
            try {
                l.callSoonThreadsafe(this::closeAbandoned);
            } catch (IllegalStateException closedLoop) {
                // The loop is gone and its tasks with it.
            }
        }

        private void closeAbandoned() {
            if (finished || running || loop().isClosed()) {
                return;
            }
            report("an async generator was garbage collected without being closed; closing it now");
            loop().createTask(() -> closeReporting("an error occurred closing an abandoned async generator"));
        }

        /** Closes the generator, sending any failure to the loop's exception handler. */
        Void closeReporting(String message) {
            try {
                step(true);
            } catch (CancelledError e) {
                throw e;
            } catch (Throwable e) {
                loop().callExceptionHandler(ExceptionContext.builder(message).exception(e).extra("asyncgen", toString()).build());
            }
            return null;
        }

        /** Reports an unclosed generator, in debug mode. */
        void report(String message) {
            if (!loop().debug) {
                return;
            }
            ExceptionContext.Builder b = ExceptionContext.builder(message).extra("asyncgen", toString());
            if (createdAt != null) {
                b.extra("created at", Diagnostics.siteText(createdAt));
            }
            loop().callExceptionHandler(b.build());
        }

        boolean isRunning() {
            return running;
        }

        @Override
        public String toString() {
            return "AsyncGenerator[" + name + "]";
        }
    }
}
