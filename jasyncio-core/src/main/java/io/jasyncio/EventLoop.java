package io.jasyncio;

import io.jasyncio.internal.Carriers;
import io.jasyncio.internal.ParkPoller;
import io.jasyncio.net.ConnectOptions;
import io.jasyncio.net.DatagramEndpoint;
import io.jasyncio.net.DatagramOptions;
import io.jasyncio.net.DatagramProtocol;
import io.jasyncio.net.Endpoint;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;
import io.jasyncio.net.StreamProtocol;
import io.jasyncio.net.Transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * An event loop: runs callbacks, timers and tasks, one at a time, in the order asyncio does.
 * Mirrors asyncio's {@code BaseEventLoop}; most programs use it through {@link Asyncio#run} and
 * never touch it directly.
 *
 * <h2>One thread of control</h2>
 * Each iteration the loop moves the timers that are due to its ready queue and then runs every
 * item that was ready when the iteration began: callbacks, and steps of tasks. Items scheduled
 * during the iteration run in the next one. A task step runs the task's body until it awaits
 * something not yet done. Exactly one callback or task step runs at any moment: the loop passes a
 * single baton between the threads involved, and only the holder may touch the loop. A task that
 * blocks in a JDK call (a blocking socket, {@link Thread#sleep}) holds the baton and freezes the
 * loop, exactly as a blocking call freezes an asyncio loop; move such work off the loop with
 * {@link #runInExecutor} or {@link Asyncio#toThread}.
 *
 * <h2>Threads</h2>
 * While the loop runs, only its own tasks and callbacks may call its methods (and those of its
 * futures and tasks); a call from any other thread throws {@link IllegalStateException} at once
 * (asyncio checks this only in debug mode). Other threads use the thread-safe doors:
 * {@link #callSoonThreadsafe}, {@link Asyncio#runCoroutineThreadsafe}, and completing a
 * {@link CompletableFuture} given to {@link #wrapFuture}. A loop that is not running may be
 * prepared from the thread that will run it.
 *
 * <h2>Scheduling modes</h2>
 * Task bodies run on virtual threads, either on the JDK's shared scheduler or on a carrier thread
 * the loop owns; see {@link Scheduling}.
 *
 * <h2>Time</h2>
 * Times and delays are in seconds on the loop's {@link LoopClock}, as {@code double} like asyncio,
 * or as {@link Duration}. Negative and NaN delays are rejected with
 * {@link IllegalArgumentException} (asyncio runs them at once; a negative delay is nearly always a
 * bug in time arithmetic). An infinite delay schedules a callback that never runs.
 */
public final class EventLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.jasyncio");
    private static final AtomicInteger LOOP_IDS = new AtomicInteger();
    private static final Object REGISTRY_LOCK = new Object();
    /** Every running loop; a thread belongs to the loop whose baton it holds. */
    private static volatile EventLoop[] runningLoops = new EventLoop[0];
    /** Every loop not yet closed, weakly, for dumps and the monitor. */
    private static final Set<EventLoop> OPEN = Collections.synchronizedSet(Collections.newSetFromMap(new java.util.WeakHashMap<>()));
    private static final int MIN_SCHEDULED_FOR_COMPACTION = 100;

    static {
        io.jasyncio.internal.LoopAccess.install(new io.jasyncio.internal.LoopAccess.Ops() {
            @Override
            public void externalBegin(EventLoop loop) {
                loop.checkThread("track external work");
                loop.externalPending++;
            }

            @Override
            public void externalEnd(EventLoop loop) {
                loop.checkThread("track external work");
                loop.externalPending--;
            }

            @Override
            public <T> T service(EventLoop loop, Class<T> key, java.util.function.Supplier<T> init) {
                return key.cast(loop.services.computeIfAbsent(key, k -> init.get()));
            }

            @Override
            public void onClose(EventLoop loop, Runnable hook) {
                loop.closeHooks.add(hook);
            }

            @Override
            public void closeChannel(EventLoop loop, SelectableChannel channel) {
                loop.closeChannel(channel);
            }

            @Override
            public void checkThread(EventLoop loop, String what) {
                loop.checkThread(what);
            }

            @Override
            public Throwable creationSite(EventLoop loop, String what) {
                return loop.debug ? Diagnostics.creationSite(what) : null;
            }

            @Override
            public String siteText(Throwable site) {
                return Diagnostics.siteText(site);
            }
        });
    }

    private final int id;
    private final LoopClock clock;
    private final Scheduling scheduling;
    private final Thread.Builder.OfVirtual threads;
    private final io.jasyncio.internal.LoopCarrier carrierPool;
    private final ParkPoller poller = new ParkPoller();
    /** The clock if it is virtual: the idle wait then asks it whether to jump instead. */
    private final VirtualClock virtualClock;
    private final ConcurrentLinkedQueue<Handle> inbox = new ConcurrentLinkedQueue<>();

    /** The baton: the only thread that may touch the loop's state while it runs. */
    private volatile Thread owner;
    /** The thread inside runForever, which gets the baton back when the loop stops. */
    private Thread home;

    // State below is touched only by the baton holder.
    private final ArrayDeque<Object> ready = new ArrayDeque<>();
    private final TimerQueue timers = new TimerQueue();
    private long timerSeq;
    private int cancelledTimers;
    /** Items still to run in the current iteration. */
    private int ntodo;
    private boolean inIteration;
    private boolean stopping;
    private Task<?> currentTask;
    private Task<?> liveHead;
    private int liveCount;
    /** Task groups whose body runs, by parent task: a dump shows their children as awaited by it. */
    final java.util.Map<Task<?>, List<TaskGroup>> openGroups = new java.util.IdentityHashMap<>();
    private boolean eagerTaskStart;
    private ExecutorService defaultExecutor;
    /** How many calls the built-in default executor runs at once; null for no limit. */
    private final Semaphore executorPermits;
    private final int maxExecutorThreads;
    private boolean executorShutdownCalled;
    private long stepStartNanos;
    /** Whether the running step's start is in stepStartNanos: accounting was on when it began, or came on in it. */
    private boolean stepTimed;
    /** Debug mode: the step now holding the loop (a Task or Handle), when it began, and its number. */
    private volatile Object watchWhat;
    private volatile long watchStart;
    private volatile int watchSeq;
    /** Touched by the watchdog thread only: the step it last reported. */
    private int watchReported = -1;
    private volatile java.util.function.Consumer<SlowStep> slowStepHandler;
    /** With trackUnretrieved: failed futures, kept until their exception is retrieved or the loop closes. */
    private final java.util.List<AsyncFuture<?>> failures;
    /** Work running on other threads whose completion this loop waits for (executor jobs, wrapped futures). */
    private int externalPending;
    /** The virtual clock's stuck handler was told, and nothing has run since. */
    private boolean stuckReported;
    /** The context callbacks run in: a reusable one, given each handle's captured mapping. */
    private final Context callbackScratch = new Context();
    private Context callbackContext = callbackScratch;

    private volatile boolean running;
    private volatile boolean closed;
    volatile boolean debug;
    /** Whether task steps are timed: in debug mode, or while a task is profiled. */
    private boolean accounting;
    /** How many tasks have a {@link Profiling} scope open. */
    int profiledTasks;
    private volatile long slowCallbackNanos = 100_000_000L;
    private volatile ExceptionHandler exceptionHandler;

    private EventLoop(Builder b) {
        Warmup.ensure();
        io.jasyncio.management.Management.install();
        this.id = LOOP_IDS.incrementAndGet();
        this.clock = b.clock;
        this.virtualClock = b.clock instanceof VirtualClock vc ? vc : null;
        if (virtualClock != null) {
            virtualClock.attach(this);
        }
        Scheduling mode = b.scheduling != null ? b.scheduling : schedulingFromProperty();
        if (mode == Scheduling.AUTO) {
            mode = Carriers.available() ? Scheduling.DEDICATED : Scheduling.SHARED;
        }
        if (mode == Scheduling.DEDICATED) {
            if (!Carriers.available()) {
                throw new IllegalStateException("Scheduling.DEDICATED needs --add-opens java.base/java.lang=ALL-UNNAMED"
                        + " (or =io.jasyncio on the module path): " + Carriers.unavailableReason());
            }
            this.carrierPool = new io.jasyncio.internal.LoopCarrier("jasyncio-carrier-" + id);
            this.threads = Carriers.builderOn(carrierPool);
            poller.setCarrier(carrierPool);
        } else {
            this.carrierPool = null;
            this.threads = Thread.ofVirtual();
        }
        this.scheduling = mode;
        OPEN.add(this);
        this.debug = b.debug != null ? b.debug : debugFromEnvironment();
        this.accounting = debug;
        this.eagerTaskStart = b.eagerTaskStart;
        this.failures = b.trackUnretrieved ? new java.util.ArrayList<>() : null;
        int cap = b.executorThreads != null ? b.executorThreads : Integer.getInteger("jasyncio.executor.maxThreads", 0);
        if (cap < 0) {
            throw new IllegalArgumentException("jasyncio.executor.maxThreads must be 0 (no limit) or more, got " + cap);
        }
        this.maxExecutorThreads = cap;
        this.executorPermits = cap > 0 ? new Semaphore(cap, true) : null;
    }

    private static Scheduling schedulingFromProperty() {
        String p = System.getProperty("jasyncio.scheduler", "auto").trim();
        try {
            return Scheduling.valueOf(p.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jasyncio.scheduler must be auto, shared or dedicated, not '" + p + "'");
        }
    }

    private static boolean debugFromEnvironment() {
        String p = System.getProperty("jasyncio.debug");
        if (p == null) {
            p = System.getenv("JASYNCIO_DEBUG");
        }
        return p != null && !p.isEmpty() && !p.equals("0") && !p.equalsIgnoreCase("false");
    }

    /**
     * A new loop with the default settings (system clock, scheduling from
     * {@code jasyncio.scheduler}, debug from {@code jasyncio.debug} or {@code JASYNCIO_DEBUG}).
     *
     * @return the loop; close it when done
     */
    public static EventLoop newEventLoop() {
        return builder().build();
    }

    /**
     * Starts configuring a loop.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The loop whose task or callback is running on the calling thread. Mirrors
     * {@code asyncio.get_running_loop()}.
     *
     * @return the loop
     * @throws IllegalStateException if the calling thread is not running a loop's task or callback
     */
    public static EventLoop getRunningLoop() {
        EventLoop l = ownedBy(Thread.currentThread());
        if (l == null) {
            throw new IllegalStateException("no running event loop: thread " + Thread.currentThread()
                    + " is not running a task or callback of any event loop");
        }
        return l;
    }

    /** The running loop whose baton {@code t} holds, or null. */
    static EventLoop ownedBy(Thread t) {
        for (EventLoop l : runningLoops) {
            if (l.owner == t) {
                return l;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ clock

    /**
     * The loop's current time in seconds, from its {@link LoopClock}. Mirrors {@code loop.time()}.
     *
     * @return the time
     */
    public double time() {
        return clock.nanoTime() / 1e9;
    }

    /**
     * The loop's current time in nanoseconds.
     *
     * @return the time
     */
    public long timeNanos() {
        return clock.nanoTime();
    }

    /** {@return the loop's clock} */
    public LoopClock clock() {
        return clock;
    }

    // ------------------------------------------------------------------ scheduling callbacks

    /**
     * Schedules a callback for the next loop iteration. Callbacks run in the order they were
     * scheduled. Mirrors {@code call_soon}.
     *
     * @param callback what to run
     * @return a handle that can cancel it
     * @throws IllegalStateException if the loop is closed, or if called from a thread other than
     *     the loop's while it runs
     */
    public Handle callSoon(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkThread("schedule a callback");
        checkOpen();
        Handle h = new Handle(this, callback).inContext(schedulingContext());
        enqueue(h);
        return h;
    }

    /** The context a callback scheduled now runs in (a copy is implied: mappings are immutable). */
    private Context schedulingContext() {
        return owner == Thread.currentThread() ? currentContext() : Context.current();
    }

    /**
     * Schedules a callback from any thread, waking the loop if it sleeps. Mirrors
     * {@code call_soon_threadsafe}. This is the door other threads use to talk to a loop. The
     * callback joins the same first-in first-out order as {@link #callSoon}: it runs before any
     * callback scheduled after this call returned, from whichever thread.
     *
     * @param callback what to run, on the loop
     * @return a handle that can cancel it
     * @throws IllegalStateException if the loop is closed
     */
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkOpen();
        Handle h = new Handle(this, callback).inContext(Context.current());
        inbox.add(h);
        poller.wakeup();
        return h;
    }

    // ------------------------------------------------------------------ signals (Unix)

    /**
     * Runs {@code callback} on this loop each time the process receives {@code signal}. Mirrors
     * {@code add_signal_handler}: the callback is scheduled as by {@link #callSoonThreadsafe}, in a
     * copy of the context of the code that added it, so it may touch the loop and its tasks (a
     * typical one cancels the main task, or sets an event a shutdown sequence waits on).
     *
     * <p>Signals are named as the JDK names them, with or without {@code SIG}, in any case:
     * {@code "INT"}, {@code "SIGTERM"}, {@code "hup"}, {@code "USR1"}, {@code "WINCH"}... A loop
     * that already handles the signal replaces its callback. While a loop handles SIGINT, the
     * {@link Runner} leaves Ctrl-C to it.
     *
     * <p>Where jasyncio differs from asyncio: a signal belongs to one loop at a time; a second loop
     * that asks for it gets {@link IllegalStateException} (in asyncio the last loop wins and the
     * first silently stops hearing it). Handle it on one loop and pass it on with
     * {@code callSoonThreadsafe}. If the process started with SIGINT, SIGTERM or SIGHUP ignored
     * ({@code nohup}, a shell's background job), the JVM keeps it ignored and the callback never
     * runs (a warning is logged).
     *
     * <p>SIGINT and SIGTERM end the process even if this loop is frozen: if the callback has not
     * started within a grace period ({@code -Djasyncio.signalGrace}, 5 seconds by default), or the
     * signal comes again more than a second later and it still has not, the signal gets the
     * handling it had before (the JVM's: shutdown hooks, exit 130 or 143). See
     * {@code docs/shutdown.md}.
     *
     * <p>Call it on the loop, or from the thread that prepares the loop before it runs. Closing
     * the loop removes its handlers.
     *
     * @param signal the signal's name
     * @param callback what to run on the loop when it arrives
     * @throws IllegalArgumentException if the JDK knows no such signal, or the JVM keeps it:
     *     SIGKILL, SIGSTOP, SIGSEGV, SIGFPE, SIGILL; SIGQUIT (the JVM's thread dump); SIGINT, SIGTERM,
     *     SIGHUP under {@code -Xrs}; SIGBUS, SIGUSR2, SIGPIPE, SIGXFSZ (native handlers of the JVM)
     * @throws IllegalStateException if another loop handles the signal, if this loop is closed, or
     *     if called from a thread other than the loop's while it runs
     * @see #removeSignalHandler
     */
    public void addSignalHandler(String signal, Runnable callback) {
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(callback, "callback");
        checkThread("add a signal handler");
        checkOpen();
        Signals.add(this, signal, callback, Context.copyCurrent());
    }

    /**
     * Stops handling {@code signal} on this loop and gives it back to the handler it had before:
     * the JVM's for SIGINT, SIGTERM and SIGHUP (run the shutdown hooks, exit with 128 + the
     * signal's number), the operating system's default for most others, or a handler other Java
     * code had installed (the launcher's task dump on SIGUSR1). Mirrors
     * {@code remove_signal_handler}.
     *
     * @param signal the signal's name, as for {@link #addSignalHandler}
     * @return {@code true} if this loop handled the signal, {@code false} otherwise
     * @throws IllegalArgumentException if no signal has that name
     * @throws IllegalStateException if called from a thread other than the loop's while it runs
     */
    public boolean removeSignalHandler(String signal) {
        Objects.requireNonNull(signal, "signal");
        checkThread("remove a signal handler");
        return Signals.remove(this, signal);
    }

    /**
     * Schedules a callback to run after {@code delay} seconds. Mirrors {@code call_later}.
     *
     * @param delay seconds from now; {@code 0} means the next iteration after timers are checked,
     *     {@code +Infinity} means never
     * @param callback what to run
     * @return a handle that can cancel it
     * @throws IllegalArgumentException if {@code delay} is negative or NaN
     */
    public TimerHandle callLater(double delay, Runnable callback) {
        checkDelay(delay);
        return scheduleAt(addDelay(clock.nanoTime(), delay), callback);
    }

    /**
     * Schedules a callback to run after {@code delay}.
     *
     * @param delay how long from now, not negative
     * @param callback what to run
     * @return a handle that can cancel it
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public TimerHandle callLater(Duration delay, Runnable callback) {
        return scheduleAt(addDelay(clock.nanoTime(), delay), callback);
    }

    /**
     * Schedules a callback for a time on the loop's clock (see {@link #time()}). A time in the past
     * runs it on the next iteration. Mirrors {@code call_at}.
     *
     * @param when seconds on the loop's clock; {@code +Infinity} means never
     * @param callback what to run
     * @return a handle that can cancel it
     * @throws IllegalArgumentException if {@code when} is NaN
     */
    public TimerHandle callAt(double when, Runnable callback) {
        return scheduleAt(secondsToNanos(when), callback);
    }

    /** Schedules a callback at a time in nanoseconds on the loop's clock. */
    TimerHandle callAtNanos(long whenNanos, Runnable callback) {
        return scheduleAt(whenNanos, callback);
    }

    private TimerHandle scheduleAt(long whenNanos, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkThread("schedule a timer");
        checkOpen();
        TimerHandle h = new TimerHandle(this, whenNanos, timerSeq++, callback);
        h.inContext(schedulingContext());
        h.scheduled = true;
        timers.add(h);
        return h;
    }

    static void checkDelay(double delay) {
        if (!(delay >= 0)) {
            throw new IllegalArgumentException("delay must be a non-negative number of seconds, got " + delay);
        }
    }

    /** Seconds to nanoseconds on the loop's scale, saturating; NaN is rejected. */
    static long secondsToNanos(double seconds) {
        if (Double.isNaN(seconds)) {
            throw new IllegalArgumentException("time must be a number of seconds, got NaN");
        }
        if (seconds >= 9.2e9) {
            return Long.MAX_VALUE;
        }
        if (seconds <= -9.2e9) {
            return Long.MIN_VALUE + 1;
        }
        return Math.round(seconds * 1e9);
    }

    static long addDelay(long now, double delaySeconds) {
        checkDelay(delaySeconds);
        if (delaySeconds >= 9.2e9) {
            return Long.MAX_VALUE;
        }
        long d = Math.round(delaySeconds * 1e9);
        long r = now + d;
        return r < now ? Long.MAX_VALUE : r;
    }

    static long addDelay(long now, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        long d;
        try {
            d = delay.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        long r = now + d;
        return r < now ? Long.MAX_VALUE : r;
    }

    /**
     * Whether nothing but the calling task's own next step can run: the current batch is done,
     * nothing else is ready, no timer is due and no other thread has scheduled anything.
     */
    boolean othersBlocked() {
        if (ntodo != 0 || !inbox.isEmpty()) {
            return false;
        }
        for (Object item : ready) {
            if (!(item instanceof Task<?> t) || t != currentTask) {
                return false;
            }
        }
        TimerHandle next = timers.peek();
        return next == null || next.whenNanos > clock.nanoTime();
    }

    /** Called when a future of this loop fails. */
    void failed(AsyncFuture<?> f) {
        if (failures != null) {
            failures.add(f);
        }
    }

    /**
     * The futures and tasks of this loop that failed and whose exception nobody has retrieved yet,
     * oldest first. Only a loop built with {@link Builder#trackUnretrieved(boolean)} keeps them;
     * otherwise the list is empty and such exceptions are reported when the future is collected.
     *
     * @return the list
     */
    public List<AsyncFuture<?>> unretrievedFailures() {
        checkThread("list unretrieved failures");
        if (failures == null) {
            return List.of();
        }
        failures.removeIf(AsyncFuture::isRetrieved);
        return List.copyOf(failures);
    }

    /** The context of the task or callback running on the loop; call on the loop. */
    Context currentContext() {
        Task<?> t = currentTask;
        if (t != null && t.thread == Thread.currentThread()) {
            return t.getContext();
        }
        return callbackContext;
    }

    /** Makes {@code c} the context of the running task or callback ({@link Context#run}). */
    void setCurrentContext(Context c) {
        Task<?> t = currentTask;
        if (t != null && t.thread == Thread.currentThread()) {
            t.ctx = c;
        } else {
            callbackContext = c;
        }
    }

    /** The context a task created now copies: the running task's or callback's. */
    private Context creatorContext() {
        Task<?> t = currentTask;
        if (t != null && t.thread == Thread.currentThread()) {
            return t.ctx;
        }
        return owner == Thread.currentThread() ? callbackContext : Context.current();
    }

    /** Wakes the loop if it sleeps; safe from any thread. */
    void wakeup() {
        poller.wakeup();
    }

    /** Called by a timer handle cancelled while queued. */
    void timerCancelled() {
        cancelledTimers++;
    }

    // ------------------------------------------------------------------ futures and tasks

    /**
     * A new pending future bound to this loop. Mirrors {@code create_future}.
     *
     * @param <T> the result type
     * @return the future
     */
    public <T> AsyncFuture<T> createFuture() {
        return new AsyncFuture<>(this);
    }

    /**
     * Schedules {@code body} as a new task. Mirrors {@code create_task}.
     *
     * @param <T> the result type
     * @param body the task's body
     * @return the task
     * @throws IllegalStateException if the loop is closed or the call comes from a foreign thread
     */
    public <T> Task<T> createTask(Callable<? extends T> body) {
        return createTask(null, null, body);
    }

    /**
     * Schedules {@code body}, which returns nothing, as a new task.
     *
     * @param body the task's body
     * @return the task; its result is {@code null}
     */
    public Task<Void> createTask(CheckedRunnable body) {
        return createTaskOf(null, null, body);
    }

    /**
     * Schedules {@code body}, which returns nothing, as a new task with a name.
     *
     * @param name the task's name, or {@code null} for {@code Task-N}
     * @param body the task's body
     * @return the task; its result is {@code null}
     */
    public Task<Void> createTask(String name, CheckedRunnable body) {
        return createTaskOf(name, null, body);
    }

    /**
     * Schedules {@code body} as a new task with a name.
     *
     * @param <T> the result type
     * @param name the task's name, or {@code null} for {@code Task-N}
     * @param body the task's body
     * @return the task
     */
    public <T> Task<T> createTask(String name, Callable<? extends T> body) {
        return createTask(name, null, body);
    }

    /**
     * Schedules {@code body} as a new task. Mirrors {@code create_task(coro, name=, eager_start=)}
     * of asyncio 3.14.
     *
     * @param <T> the result type
     * @param name the task's name, or {@code null} for {@code Task-N}
     * @param eagerStart {@code true} to run the body at once, inside this call, until its first
     *     suspension (only while the loop runs); {@code false} to schedule it; {@code null} for the
     *     loop's default ({@link #setEagerTaskStart})
     * @param body the task's body
     * @return the task
     */
    public <T> Task<T> createTask(String name, Boolean eagerStart, Callable<? extends T> body) {
        return createTaskOf(name, eagerStart, body);
    }

    /** Creates a task whose body is a {@link Callable} or a {@link CheckedRunnable}. */
    <T> Task<T> createTaskOf(String name, Boolean eagerStart, Object body) {
        return createTaskOf(name, eagerStart, body, null);
    }

    /** Like the above; the task runs in {@code context} itself, or in a copy of its creator's if null. */
    <T> Task<T> createTaskOf(String name, Boolean eagerStart, Object body, Context context) {
        Objects.requireNonNull(body, "body");
        checkThread("create a task");
        checkOpen();
        Task<T> t = context != null ? new Task<>(this, context, body, name)
                : new Task<>(this, body, name, creatorContext());
        link(t);
        boolean eager = eagerStart != null ? eagerStart : eagerTaskStart;
        if (eager && running) {
            startEagerly(t);
        } else {
            enqueue(t);
        }
        return t;
    }

    static Callable<Void> asCallable(CheckedRunnable body) {
        Objects.requireNonNull(body, "body");
        return () -> {
            body.run();
            return null;
        };
    }

    /**
     * Makes new tasks start eagerly by default, like asyncio 3.12's
     * {@code loop.set_task_factory(asyncio.eager_task_factory)}: the body runs inside
     * {@code createTask} until its first suspension, and a body that never suspends completes
     * without ever being scheduled.
     *
     * @param eager the new default
     */
    public void setEagerTaskStart(boolean eager) {
        checkThread("change the task factory");
        this.eagerTaskStart = eager;
    }

    /** {@return whether new tasks start eagerly by default} */
    public boolean isEagerTaskStart() {
        return eagerTaskStart;
    }

    /**
     * The task running on the calling thread, or {@code null} in a callback or outside the loop.
     * Mirrors {@code asyncio.current_task(loop)}.
     *
     * @return the current task, or {@code null}
     */
    public Task<?> currentTask() {
        Thread me = Thread.currentThread();
        Task<?> t = currentTask;
        return owner == me && t != null && t.thread == me ? t : null;
    }

    /**
     * The tasks of this loop that are not done. Mirrors {@code asyncio.all_tasks(loop)}.
     *
     * @return a new set
     */
    public Set<Task<?>> allTasks() {
        checkThread("list tasks");
        Set<Task<?>> out = new LinkedHashSet<>(Math.max(16, liveCount * 2));
        for (Task<?> t = liveHead; t != null; t = t.liveNext) {
            if (!t.isDone() && !t.hidden) {
                out.add(t);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /**
     * The pending task of this loop with the given {@linkplain Task#getId() id}.
     *
     * @param id the task's id
     * @return the task, or {@code null} if this loop has no pending task with that id
     */
    public Task<?> findTask(long id) {
        checkThread("find a task");
        for (Task<?> t = liveHead; t != null; t = t.liveNext) {
            if (t.id() == id && !t.isDone()) {
                return t;
            }
        }
        return null;
    }

    /**
     * Whether the calling code runs on this loop: in one of its tasks or callbacks, holding it.
     * Safe from any thread; for code that both threads and tasks call, to choose the thread-safe
     * door only when needed.
     *
     * @return whether the caller is on this loop
     */
    public boolean isOnLoop() {
        return owner == Thread.currentThread();
    }

    /** @return the loop's number, the N of {@code EventLoop-N} */
    int id() {
        return id;
    }

    /** {@return the loops of this JVM that are not closed, oldest first} */
    public static List<EventLoop> allLoops() {
        return openLoops();
    }

    /** The task running the calling code, on whichever loop; else a clear error. */
    static Task<?> requireCurrentTask(String what) {
        Thread me = Thread.currentThread();
        EventLoop l = ownedBy(me);
        if (l == null) {
            throw new IllegalStateException("Cannot " + what + " outside a task: thread " + me
                    + " is not running a task of any event loop; use Asyncio.run(...),"
                    + " or runCoroutineThreadsafe(...) from another thread");
        }
        return l.currentTaskFor(what);
    }

    /** The current task of this loop if it runs on the calling thread; else a clear error. */
    Task<?> currentTaskFor(String what) {
        Thread me = Thread.currentThread();
        Task<?> t = currentTask;
        if (owner == me && t != null && t.thread == me) {
            return t;
        }
        throw notInTask(what, me);
    }

    private IllegalStateException notInTask(String what, Thread me) {
        if (owner == me) {
            return new IllegalStateException("Cannot " + what + " from a callback of " + this
                    + ": only tasks can wait; start a task with createTask, or use addDoneCallback");
        }
        EventLoop other = ownedBy(me);
        if (other != null) {
            return new IllegalStateException("Cannot " + what + " of " + this + " from a task of " + other
                    + ": a future belongs to one loop; cross loops with toCompletableFuture() and wrapFuture()");
        }
        return new IllegalStateException("Cannot " + what + " outside a task: thread " + me
                + " is not running a task of " + this
                + "; use Asyncio.run(...), or runCoroutineThreadsafe(...) from another thread");
    }

    private void link(Task<?> t) {
        Task<?> h = liveHead;
        t.liveNext = h;
        if (h != null) {
            h.livePrev = t;
        }
        liveHead = t;
        liveCount++;
    }

    void unlink(Task<?> t) {
        Task<?> p = t.livePrev;
        Task<?> n = t.liveNext;
        if (p != null) {
            p.liveNext = n;
        } else if (liveHead == t) {
            liveHead = n;
        } else {
            return;
        }
        if (n != null) {
            n.livePrev = p;
        }
        t.livePrev = null;
        t.liveNext = null;
        liveCount--;
    }

    // ------------------------------------------------------------------ running

    /**
     * Runs the loop until {@code future} is done and returns its result (or throws its
     * exception). Mirrors {@code run_until_complete}.
     *
     * @param <T> the result type
     * @param future a future of this loop
     * @return the future's result
     * @throws IllegalStateException if the loop is closed or already running, if the calling
     *     thread runs another loop, or if the loop was stopped before the future completed
     * @throws IllegalArgumentException if the future belongs to another loop
     */
    public <T> T runUntilComplete(AsyncFuture<T> future) {
        checkCanRun(Thread.currentThread());
        if (future.loop != this) {
            throw new IllegalArgumentException("The future belongs to a different loop than the one running it: " + future);
        }
        Consumer<AsyncFuture<T>> stopper = f -> stop();
        future.addDoneCallback(stopper);
        try {
            runForever();
        } finally {
            future.removeDoneCallback(stopper);
        }
        if (!future.isDone()) {
            throw new IllegalStateException("Event loop stopped before Future completed: " + future);
        }
        return future.result();
    }

    /**
     * Runs {@code body} as a task until it completes and returns its result.
     *
     * @param <T> the result type
     * @param body the task's body
     * @return its result
     */
    public <T> T runUntilComplete(Callable<? extends T> body) {
        checkCanRun(Thread.currentThread());
        return runUntilComplete(createTask(body));
    }

    /**
     * Runs the loop until {@link #stop()} is called. Mirrors {@code run_forever}: after a stop,
     * the loop finishes the current iteration and returns; callbacks scheduled by that iteration
     * run next time.
     *
     * <p>If the loop meets an error it cannot go on after (see <em>Errors</em> in
     * {@link #setExceptionHandler}), it reports it, stops at once, closes itself, and this method
     * throws that error.
     *
     * @throws IllegalStateException if the loop is closed or already running, or the calling
     *     thread runs another loop
     */
    public void runForever() {
        Thread me = Thread.currentThread();
        checkCanRun(me);
        home = me;
        owner = me;
        running = true;
        register(this);
        if (debug) {
            Watchdog.watch(this);
        }
        try {
            if (handOff(me, null)) {
                awaitBaton(me);
            }
        } finally {
            stopping = false;
            running = false;
            currentTask = null;
            watchWhat = null;
            Watchdog.unwatch(this);
            unregister(this);
            home = null;
            owner = null;
        }
        Throwable fatal = fatalError;
        if (fatal != null) {
            closeAfter(fatal);
        }
    }

    private void checkCanRun(Thread me) {
        if (closed) {
            throw new IllegalStateException("Event loop is closed: " + this);
        }
        if (running) {
            throw new IllegalStateException("This event loop is already running: " + this);
        }
        EventLoop other = ownedBy(me);
        if (other != null) {
            throw new IllegalStateException("Cannot run " + this + " while another loop is running on this thread: " + other);
        }
    }

    /**
     * Asks the loop to stop after the current iteration. Mirrors {@code stop}. If the loop is not
     * running, its next run will do one iteration and stop. From another thread, use
     * {@code callSoonThreadsafe(loop::stop)}.
     */
    public void stop() {
        checkThread("stop the loop");
        stopping = true;
    }

    /** {@return whether the loop is running} */
    public boolean isRunning() {
        return running;
    }

    /** {@return whether the loop is closed} */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the loop: pending callbacks and timers are dropped, the default executor is shut down
     * without waiting, the loop's carrier thread (if any) ends. Mirrors {@code close}. Closing
     * twice does nothing.
     *
     * @throws IllegalStateException if the loop is running
     */
    @Override
    public void close() {
        if (running) {
            throw new IllegalStateException("Cannot close a running event loop: " + this);
        }
        if (closed) {
            return;
        }
        closed = true;
        if (failures != null) {
            for (AsyncFuture<?> f : unretrievedFailures()) {
                f.markRetrieved();
                ExceptionContext.Builder b = ExceptionContext.builder((f instanceof Task ? "Task" : "Future")
                        + " exception was never retrieved").exception(f.peekException()).future(f);
                String site = f.diag == null ? null : f.diag.createdAtText();
                if (site != null) {
                    b.extra("created at", site);
                }
                callExceptionHandler(b.build());
            }
            failures.clear();
        }
        for (Task<?> t = liveHead; t != null; t = t.liveNext) {
            if (!t.isDone()) {
                ExceptionContext.Builder b = ExceptionContext.builder("Task was destroyed but it is pending!").future(t);
                String site = t.diag == null ? null : t.diag.createdAtText();
                if (site != null) {
                    b.extra("created at", site);
                }
                callExceptionHandler(b.build());
            }
        }
        for (Runnable hook : closeHooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                callExceptionHandler(ExceptionContext.builder("a close hook failed").exception(e).build());
            }
        }
        ready.clear();
        timers.clear();
        inbox.clear();
        poller.close();
        ExecutorService ex = defaultExecutor;
        defaultExecutor = null;
        if (ex != null) {
            ex.shutdown();
        }
        if (carrierPool != null) {
            carrierPool.shutdown();
        }
        if (virtualClock != null) {
            virtualClock.detach(this);
        }
        Signals.loopClosed(this);
        OPEN.remove(this);
    }

    /** @return the loops of this JVM that are not closed */
    static List<EventLoop> openLoops() {
        synchronized (OPEN) {
            List<EventLoop> out = new java.util.ArrayList<>(OPEN);
            out.sort((a, b) -> Integer.compare(a.id, b.id));
            return out;
        }
    }

    // ------------------------------------------------------------------ task dumps

    /**
     * A consistent snapshot of this loop's tasks: names, states, where each is suspended, what it
     * awaits and who awaits it. Call it on the loop; from another thread use
     * {@link #dumpTasksThreadsafe(Duration)}.
     *
     * @return the dump
     */
    public TaskDump dumpTasks() {
        checkThread("dump tasks");
        return TaskDump.of(this, liveTasks(false), currentTask(), true, null);
    }

    /**
     * A snapshot of this loop's tasks taken from any thread. The loop is asked to take it; if it
     * does not answer within {@code wait} (a task blocks it), the tasks are read without its help,
     * and the dump's {@linkplain TaskDump#note() note} says what holds the loop, with the live stack
     * of the thread holding it.
     *
     * @param wait how long to wait for the loop
     * @return the dump
     */
    public TaskDump dumpTasksThreadsafe(Duration wait) {
        Thread me = Thread.currentThread();
        if (owner == me) {
            return dumpTasks();
        }
        if (!running) {
            return TaskDump.of(this, liveTasks(true), null, true, closed ? "the loop is closed" : "the loop is not running");
        }
        CompletableFuture<TaskDump> cf = new CompletableFuture<>();
        try {
            callSoonThreadsafe(() -> cf.complete(dumpTasks()));
            return cf.get(Math.max(1, wait.toNanos()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return TaskDump.of(this, liveTasks(true), null, false, describeHolder(wait));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return TaskDump.of(this, liveTasks(true), null, false, "interrupted while waiting for the loop");
        } catch (ExecutionException | IllegalStateException e) {
            return TaskDump.of(this, liveTasks(true), null, false, "the loop could not take the dump: " + e);
        }
    }

    /** The pending tasks, oldest first; {@code racy} when read without holding the baton. */
    private List<Task<?>> liveTasks(boolean racy) {
        List<Task<?>> out = new java.util.ArrayList<>();
        int cap = racy ? liveCount + 1000 : Integer.MAX_VALUE;
        try {
            for (Task<?> t = liveHead; t != null && out.size() < cap; t = t.liveNext) {
                out.add(t);
            }
        } catch (RuntimeException raceWhileReading) {
            // A best-effort read: keep what we have.
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** What holds the loop, for a dump the loop did not answer. */
    private String describeHolder(Duration wait) {
        Thread o = owner;
        StringBuilder sb = new StringBuilder("The loop did not answer within ")
                .append(String.format(java.util.Locale.ROOT, "%.3f s", wait.toNanos() / 1e9)).append("; it is held by ");
        Object what = watchWhat;
        Task<?> t = currentTask;
        if (what != null) {
            sb.append(describeStep(what)).append(String.format(java.util.Locale.ROOT, " (running for %.3f s)", (System.nanoTime() - watchStart) / 1e9));
        } else if (t != null) {
            sb.append("Task '").append(t.getName()).append('\'');
        } else {
            sb.append("a callback or the loop itself");
        }
        sb.append(" on thread ").append(o).append(", which is at:");
        if (o != null) {
            for (StackTraceElement e : o.getStackTrace()) {
                sb.append("\n\tat ").append(e);
            }
        }
        return sb.toString();
    }

    private static void register(EventLoop l) {
        synchronized (REGISTRY_LOCK) {
            EventLoop[] a = runningLoops;
            EventLoop[] b = java.util.Arrays.copyOf(a, a.length + 1);
            b[a.length] = l;
            runningLoops = b;
        }
    }

    private static void unregister(EventLoop l) {
        synchronized (REGISTRY_LOCK) {
            EventLoop[] a = runningLoops;
            int n = 0;
            EventLoop[] b = new EventLoop[Math.max(0, a.length - 1)];
            for (EventLoop x : a) {
                if (x != l && n < b.length) {
                    b[n++] = x;
                }
            }
            runningLoops = n == b.length ? b : java.util.Arrays.copyOf(b, n);
        }
    }

    // ------------------------------------------------------------------ the baton

    /**
     * Runs the loop on the calling thread, which holds the baton, until the next ready item is a
     * task's step, and hands that task the baton (starting its thread at its first step). When the
     * loop stops at the end of an iteration, the baton goes back to the thread in
     * {@link #runForever} instead. This is asyncio's {@code _run_once}, spread over calls: each
     * iteration collects the due timers, then runs the batch of items that were ready when it
     * began.
     *
     * <p>One method on purpose. A task parks right after this returns, and the frame it parks in is
     * frozen with it. If the JIT inlined the loop into that frame, every suspended task would carry
     * the loop's spill slots: measured, a 576-byte frozen stack per task instead of about 250. C2
     * never inlines a method longer than {@code FreqInlineSize} (325 bytecodes), so this one stays a
     * frame of its own, gone by the time the task parks.
     *
     * @param me the calling thread
     * @param self the calling task, or null
     * @return true if another thread now holds the baton (the caller must wait for it, or end);
     *     false if the caller keeps it: the next step is {@code self}'s own, or the caller is the
     *     thread in runForever and the loop stopped
     */
    private boolean runUntilHandOff(Thread me, Task<?> self) {
        for (;;) {
            if (ntodo == 0) {
                if (inIteration) {
                    inIteration = false;
                    if (stopping) {
                        Thread h = home;
                        if (h == me) {
                            return false;
                        }
                        owner = h;
                        LockSupport.unpark(h);
                        return true;
                    }
                }
                // The iteration's prologue: sleep if idle, collect due timers, fix the batch.
                if (!inbox.isEmpty()) {
                    drainInbox();
                }
                purgeCancelledTimers();
                long timeout;
                if (!ready.isEmpty() || stopping) {
                    timeout = 0;
                } else if (timers.isEmpty()) {
                    timeout = -1;
                } else {
                    long when = timers.peek().whenNanos;
                    timeout = when == Long.MAX_VALUE ? -1 : Math.max(0, when - clock.nanoTime());
                }
                if (timeout != 0 && virtualClock != null) {
                    // Virtual time does not pass while we sleep: jump to the next timer, or wait
                    // (in real time) for another thread, I/O, or a hand on the clock.
                    long next = timers.isEmpty() ? Long.MAX_VALUE : timers.peek().whenNanos;
                    timeout = virtualClock.idle(next, externalPending, ioWatched > 0);
                    if (timeout > 0) {
                        poller.poll(timeout, ioReady);
                        if (!inbox.isEmpty()) {
                            drainInbox();
                        }
                        timeout = ready.isEmpty() ? virtualClock.thresholdElapsed(next, ioWatched > 0) : 0;
                    }
                    if (timeout == VirtualClock.STUCK) {
                        // Nothing known can wake the loop. Tell the handler once (a spurious
                        // wake-up is not news), then sleep unless it gave us work (a test kit
                        // cancels the test's task).
                        if (!stuckReported) {
                            stuckReported = true;
                            virtualClock.stuck(this);
                        }
                        if (!inbox.isEmpty()) {
                            drainInbox();
                        }
                        timeout = ready.isEmpty() ? -1 : 0;
                    }
                }
                if (timeout != 0 || !polledLastIteration || !poller.hasSelector()) {
                    poller.poll(timeout, ioReady);
                    polledLastIteration = true;
                    if (timeout != 0 && !inbox.isEmpty()) {
                        drainInbox();
                    }
                } else {
                    // The last iteration began with a poll and this one has work already: skip the
                    // non-blocking poll, so a read that wakes a task costs one epoll_wait, not two
                    // (libuv runs the callbacks an I/O event made ready in the same pass, too).
                    // I/O is still polled at least every other iteration.
                    polledLastIteration = false;
                }
                if (!timers.isEmpty()) {
                    long now = clock.nanoTime();
                    TimerHandle th;
                    while ((th = timers.peek()) != null && th.whenNanos <= now) {
                        timers.poll();
                        th.scheduled = false;
                        if (th.cancelled) {
                            cancelledTimers--;
                        } else {
                            ready.addLast(th);
                        }
                    }
                }
                ntodo = ready.size();
                if (ntodo != 0) {
                    stuckReported = false;
                }
                inIteration = true;
                continue;
            }
            ntodo--;
            Object item = ready.pollFirst();
            if (item instanceof Task<?> t) {
                Thread th = t.thread;
                if (th == null) {
                    if (t.mustCancel) {
                        t.cancelBeforeStart();
                        continue;
                    }
                    if (startThread(t, me)) {
                        return true;
                    }
                    continue;
                }
                if (t == self) {
                    return false;
                }
                owner = th;
                LockSupport.unpark(th);
                return true;
            }
            Handle h = (Handle) item;
            if (!h.cancelled) {
                runHandle(h);
            }
        }
    }

    private void purgeCancelledTimers() {
        int n = timers.size();
        if (n > MIN_SCHEDULED_FOR_COMPACTION && cancelledTimers * 2 > n) {
            timers.removeCancelled();
            cancelledTimers = 0;
            return;
        }
        TimerHandle h;
        while ((h = timers.peek()) != null && h.cancelled) {
            timers.poll();
            h.scheduled = false;
            cancelledTimers--;
        }
    }

    private void drainInbox() {
        Handle h;
        while ((h = inbox.poll()) != null) {
            ready.addLast(h);
        }
    }

    /**
     * Appends to the ready queue, after whatever other threads scheduled before (asyncio has one
     * FIFO for both doors; here the thread-safe one is a separate inbox, so it is moved over
     * first). When the inbox is empty, as it nearly always is, this costs one volatile read.
     */
    private void enqueue(Object item) {
        if (!inbox.isEmpty()) {
            drainInbox();
        }
        ready.addLast(item);
    }

    private void runHandle(Handle h) {
        callbackScratch.vars = h.ctxVars;
        callbackScratch.values = h.ctxValues;
        callbackContext = callbackScratch;
        if (!debug) {
            h.run();
            return;
        }
        long t0 = System.nanoTime();
        publishStep(h, t0);
        h.run();
        watchWhat = null;
        long dt = System.nanoTime() - t0;
        if (dt >= slowCallbackNanos) {
            reportSlowStep(new SlowStep(this, describeStep(h), null, dt / 1e9, true, List.of()));
        }
    }

    /** Schedules a handle made by the loop's own machinery (a future's done callback). */
    void scheduleHandle(Handle h) {
        checkThread("schedule a callback");
        checkOpen();
        h.inContext(schedulingContext());
        enqueue(h);
    }

    /** Schedules a task's next step (its wake-up). */
    void scheduleStep(Task<?> t) {
        enqueue(t);
    }

    void enterTask(Task<?> t) {
        currentTask = t;
        t.steps++;
        boolean timed = accounting;
        stepTimed = timed;
        if (timed) {
            long now = System.nanoTime();
            stepStartNanos = now;
            if (debug) {
                publishStep(t, now);
            }
        }
    }

    private void leaveTask(Task<?> t) {
        currentTask = null;
        if (accounting) {
            watchWhat = null;
            if (stepTimed) {
                endStep(t);
            }
        }
    }

    private void publishStep(Object what, long now) {
        watchStart = now;
        watchSeq++;
        watchWhat = what;
    }

    /** Called by the watchdog thread: reports the step holding the loop if it is slow. */
    void watchdogCheck() {
        Object what = watchWhat;
        int seq = watchSeq;
        long held = System.nanoTime() - watchStart;
        if (what == null || seq == watchReported || held < slowCallbackNanos) {
            return;
        }
        watchReported = seq;
        Thread o = owner;
        StackTraceElement[] raw = o == null ? new StackTraceElement[0] : o.getStackTrace();
        if (watchSeq != seq || watchWhat != what) {
            return; // it ended while we looked
        }
        List<StackTraceElement> stack = what instanceof Task ? StackFrames.userFrames(raw) : List.of(raw);
        reportSlowStep(new SlowStep(this, describeStep(what), what instanceof Task<?> t ? t : null, held / 1e9, false, stack));
    }

    private static String describeStep(Object what) {
        return what instanceof Task<?> t ? "a step of Task '" + t.getName() + "'" : String.valueOf(what);
    }

    private void reportSlowStep(SlowStep step) {
        java.util.function.Consumer<SlowStep> h = slowStepHandler;
        try {
            if (h != null) {
                h.accept(step);
            } else {
                LOG.log(System.Logger.Level.WARNING, step.toString());
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "Exception in the slow-step handler", e);
        }
    }

    /**
     * Where debug mode sends its slow-step reports ({@link SlowStep}); by default they are logged at
     * WARNING on the {@code io.jasyncio} logger. A report of a step still running comes from the
     * watchdog thread, not the loop; a report of a finished step comes from the loop.
     *
     * @param handler the handler, or {@code null} for the default
     */
    public void setSlowStepHandler(java.util.function.Consumer<SlowStep> handler) {
        this.slowStepHandler = handler;
    }

    long slowCallbackNanos() {
        return slowCallbackNanos;
    }

    /** Starts timing a task's steps for the profiler; returns its diagnostics record. */
    Diagnostics beginProfiling(Task<?> t) {
        Diagnostics d = t.diag();
        boolean was = accounting;
        if (d.profileDepth++ == 0) {
            profiledTasks++;
            updateAccounting();
        }
        if (was && stepTimed) {
            chargeCurrentStep(t);
        } else {
            stepStartNanos = System.nanoTime();
            stepTimed = true;
        }
        return d;
    }

    /** Charges the running step up to now to the task, and starts counting afresh. */
    void chargeCurrentStep(Task<?> t) {
        long now = System.nanoTime();
        t.diag().loopNanos += now - stepStartNanos;
        stepStartNanos = now;
    }

    void endProfiling(Task<?> t) {
        if (--t.diag().profileDepth == 0) {
            profiledTasks--;
            updateAccounting();
        }
    }

    /** Charges the step that just ended to the task (debug mode or profiling) and reports it if slow. */
    private void endStep(Task<?> t) {
        long dt = System.nanoTime() - stepStartNanos;
        if (debug || t.diag != null) {
            t.diag().loopNanos += dt;
        }
        if (debug && dt >= slowCallbackNanos) {
            reportSlowStep(new SlowStep(this, describeStep(t), t, dt / 1e9, true, List.of()));
        }
    }

    /** Who is calling, for debug mode's cancellation sites. */
    String describeCaller() {
        Thread me = Thread.currentThread();
        if (owner == me) {
            Task<?> t = currentTask;
            return t != null && t.thread == me ? "task '" + t.getName() + "'" : "a callback";
        }
        return "thread '" + me.getName() + "'";
    }

    /**
     * Gives up control on behalf of the current task {@code t}, whose wake-up is already arranged,
     * and returns when its next step runs.
     */
    void suspend(Task<?> t) {
        Thread me = t.thread;
        Thread back = t.eagerCaller;
        leaveTask(t);
        if (back != null) {
            // First suspension of an eager task: control returns to the createTask caller.
            t.eagerCaller = null;
            owner = back;
            LockSupport.unpark(back);
        } else if (!handOff(me, t)) {
            enterTask(t);
            return;
        }
        awaitBaton(me);
        enterTask(t);
    }

    /** Called on a task's thread after it completed: passes control on; the thread then ends. */
    void finish(Task<?> t) {
        Thread me = Thread.currentThread();
        try {
            Thread back = t.eagerCaller;
            leaveTask(t);
            if (back != null) {
                t.eagerCaller = null;
                owner = back;
                LockSupport.unpark(back);
                return;
            }
        } catch (Throwable e) {
            loopFailed(me, e);   // the thread ends: it must not take the baton with it
            return;
        }
        handOff(me, null);
    }

    private void startEagerly(Task<?> t) {
        Thread me = Thread.currentThread();
        Task<?> prev = currentTask;
        Context prevCallbackContext = callbackContext;
        Object[] prevVars = callbackScratch.vars;
        Object[] prevValues = callbackScratch.values;
        if (accounting && prev != null && stepTimed) {
            endStep(prev); // the eager child's step is not the caller's
        }
        t.eagerCaller = me;
        if (startThread(t, me)) {
            awaitBaton(me);
        } else {
            t.eagerCaller = null;
        }
        currentTask = prev;
        callbackContext = prevCallbackContext;
        callbackScratch.vars = prevVars;
        callbackScratch.values = prevValues;
        if (accounting) {
            stepStartNanos = System.nanoTime();
            stepTimed = true;
        }
    }

    /**
     * Starts a task's thread for its first step and gives it the baton. If no thread can be started
     * (out of memory, a closed carrier), the task fails and the caller keeps the baton.
     */
    private boolean startThread(Task<?> t, Thread me) {
        try {
            Thread th = threads.unstarted(t::runOnThread);
            if (t.hasGivenName() || debug) {
                th.setName(t.getName()); // so that %thread in log lines names the task
            }
            t.thread = th;
            owner = th;
            th.start();
            return true;
        } catch (Throwable e) {
            owner = me;
            t.thread = null;
            unlink(t);
            t.trySetException(e);
            escaped(t, e);
            return false;
        }
    }

    /** Parks the calling thread until it holds the baton. */
    void awaitBaton(Thread me) {
        boolean interrupted = false;
        while (owner != me) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            me.interrupt();
        }
    }

    // ------------------------------------------------------------------ errors that are not exceptions

    /**
     * The error that stopped the loop for good, thrown by {@link #runForever} once the baton is home.
     * Touched by the baton holder only.
     */
    private Throwable fatalError;

    /**
     * The one door for what user code let escape: a callback (or a protocol method it called), or a
     * task's body, or the start of a task's thread. A callback's failure is reported to the
     * exception handler (a task keeps its own: it is the task's exception, reported only if never
     * retrieved). If the loop cannot go on after it ({@link io.jasyncio.internal.Failures#isFatal}), the failure is reported and
     * the loop stops at once: nothing else runs in this iteration, and {@link #runForever} closes
     * the loop and throws it. Never throws.
     *
     * @param where the {@link Handle} or the {@link Task}
     * @param e what it threw
     */
    void escaped(Object where, Throwable e) {
        if (io.jasyncio.internal.Failures.isFatal(e)) {
            brokeDown(where, e);
        } else if (where instanceof Handle h) {
            report("Exception in callback ", h, e, false);
        }
    }

    /**
     * The loop cannot go on after {@code e}, met in {@code where} (a handle, a task, or null for the
     * loop's own code): reports it and stops the loop at once ({@link #runForever} then closes the
     * loop and throws it). Never throws.
     */
    void brokeDown(Object where, Throwable e) {
        report(where instanceof Handle ? "Exception in callback " : "Unrecoverable error in ",
                where != null ? where : "the event loop's own code", e, true);
        stopFatally(e);
    }

    /**
     * The loop's own machinery failed on thread {@code me} (no memory for a handle, a selector that
     * broke, an error while reporting): its state can no longer be trusted. Reports, stops the loop
     * at once and sends the baton home; {@link #runForever} closes the loop and throws the error.
     *
     * @return true if another thread now holds the baton (as {@link #runUntilHandOff})
     */
    private boolean loopFailed(Thread me, Throwable e) {
        Task<?> t = currentTask;
        brokeDown(t == null ? null : "the event loop's own code, driven by " + t, e);
        inIteration = false;
        Thread h = home;
        if (h == me || h == null) {
            owner = h;
            return false;
        }
        owner = h;
        LockSupport.unpark(h);
        return true;
    }

    /** {@link #runUntilHandOff}, except that a failure of the loop itself becomes {@link #loopFailed}. */
    private boolean handOff(Thread me, Task<?> self) {
        try {
            return runUntilHandOff(me, self);
        } catch (Throwable e) {
            return loopFailed(me, e);
        }
    }

    private void stopFatally(Throwable e) {
        stopping = true;
        ntodo = 0;   // end the iteration now: what is still ready stays unrun, as in asyncio
        Throwable first = fatalError;
        if (first == null) {
            fatalError = e;
        } else if (first != e) {
            try {
                first.addSuppressed(e);
            } catch (Throwable ignored) {
                // the first error is the one thrown
            }
        }
    }

    /** After a fatal error, with the baton home: close the loop, then throw the error from runForever. */
    private void closeAfter(Throwable fatal) {
        fatalError = null;
        try {
            close();
        } catch (Throwable e) {
            fatal.addSuppressed(e);
        }
        if (fatal instanceof Error err) {
            throw err;
        }
        if (fatal instanceof RuntimeException re) {
            throw re;
        }
        throw new IllegalStateException("the event loop failed and was closed", fatal);
    }

    /**
     * Reports {@code e} to the exception handler; if building or delivering the report fails too
     * (no memory, a class that cannot load for want of file descriptors), logs what it can instead.
     * Never throws.
     */
    private void report(String what, Object where, Throwable e, boolean fatal) {
        try {
            String message = what + where + (fatal ? "; the loop cannot go on after "
                    + e.getClass().getName() + ": it stops and closes" : "");
            ExceptionContext.Builder b = ExceptionContext.builder(message).exception(e);
            if (where instanceof Handle h) {
                b.handle(h);
            } else if (where instanceof AsyncFuture<?> f) {
                b.future(f);
            }
            callExceptionHandler(b.build());
        } catch (Throwable reportFailed) {
            try {
                e.addSuppressed(reportFailed);
                LOG.log(System.Logger.Level.ERROR, "Unhandled error in " + this + " (the exception handler could not be called)", e);
            } catch (Throwable ignored) {
                // Nothing is left to report with; the loop's own handling still goes on.
            }
        }
    }

    /**
     * Fails fast when a foreign thread touches the running loop.
     *
     * @param what the operation, for the message
     */
    void checkThread(String what) {
        Thread o = owner;
        if (o != null && o != Thread.currentThread()) {
            throw new IllegalStateException("Cannot " + what + " from thread " + Thread.currentThread()
                    + ": " + this + " is running, and only its own tasks and callbacks may touch it;"
                    + " use callSoonThreadsafe or runCoroutineThreadsafe");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Event loop is closed: " + this);
        }
    }

    /** Cancels a future of this loop on behalf of another thread. */
    void cancelFromOtherThread(AsyncFuture<?> f) {
        try {
            callSoonThreadsafe(() -> f.cancel());
        } catch (IllegalStateException closedLoop) {
            // The loop is closed: nothing is left to cancel.
        }
    }

    // ------------------------------------------------------------------ async generators

    /** The async generators of this loop that started and have not finished. */
    Set<AsyncGenerator.Core<?>> asyncGenerators() {
        Set<AsyncGenerator.Core<?>> g = asyncGenerators;
        if (g == null) {
            g = new LinkedHashSet<>();
            asyncGenerators = g;
        }
        return g;
    }

    private Set<AsyncGenerator.Core<?>> asyncGenerators;

    /**
     * Closes every {@link AsyncGenerator} of this loop that started and has not finished, all at
     * once, each in a task of its own; failures go to the exception handler, and in debug mode
     * each generator is reported with the site that created it. Mirrors
     * {@code shutdown_asyncgens}; {@link Asyncio#run} and {@link Runner#close()} call it after
     * cancelling the remaining tasks.
     *
     * @return a future completed when they are all closed
     */
    public AsyncFuture<Void> shutdownAsyncGenerators() {
        checkThread("shut down async generators");
        checkOpen();
        List<Task<?>> closing = new java.util.ArrayList<>();
        if (asyncGenerators != null) {
            for (AsyncGenerator.Core<?> g : List.copyOf(asyncGenerators)) {
                if (!g.finished && !g.isRunning()) {
                    g.report("an async generator was not closed before the loop shut down; closing it now");
                    closing.add(createTaskOf("close " + g.name, Boolean.FALSE, (Callable<Void>) () ->
                            g.closeReporting("an error occurred during closing of an async generator at shutdown")));
                }
            }
        }
        AsyncFuture<Void> done = createFuture();
        if (closing.isEmpty()) {
            done.setResult(null);
        } else {
            GatheringFuture.over(closing, true).addDoneCallback(x -> done.trySetResult(null));
        }
        return done;
    }

    // ------------------------------------------------------------------ I/O: the selector

    /** What a watched channel's selection key carries: the callbacks for each readiness. */
    static final class IoWatch {
        final SelectableChannel channel;
        Handle reader;
        Handle writer;

        IoWatch(SelectableChannel channel) {
            this.channel = channel;
        }
    }

    /** Per-loop services of the implementation packages (see LoopAccess). */
    private final java.util.Map<Class<?>, Object> services = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.List<Runnable> closeHooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Whether the previous iteration began by polling the selector (see runUntilHandOff). */
    private boolean polledLastIteration;
    /** Channels with a reader or writer callback. */
    private int ioWatched;
    /** Moves the callbacks of a selected key to the ready queue. */
    private final Consumer<SelectionKey> ioReady = this::onSelected;

    private void onSelected(SelectionKey key) {
        IoWatch w = (IoWatch) key.attachment();
        int ops;
        try {
            ops = key.readyOps();
        } catch (CancelledKeyException e) {
            return;
        }
        Handle r = w.reader;
        if (r != null && (ops & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 && !r.cancelled) {
            ready.addLast(r);
        }
        Handle wr = w.writer;
        if (wr != null && (ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0 && !wr.cancelled) {
            ready.addLast(wr);
        }
    }

    /**
     * Calls {@code callback} on the loop whenever {@code channel} is readable (for a server
     * socket: has a connection to accept), until {@link #removeReader}. Replaces the channel's
     * previous reader callback. Mirrors {@code add_reader}; asyncio takes a file descriptor, Java a
     * non-blocking {@link SelectableChannel}.
     *
     * @param channel a non-blocking channel
     * @param callback what to run each time it is readable
     * @throws IllegalArgumentException if the channel is in blocking mode
     * @throws IllegalStateException if the channel is closed, or off the loop
     */
    public void addReader(SelectableChannel channel, Runnable callback) {
        watch(channel, callback, true);
    }

    /**
     * Stops calling the channel's reader callback. Mirrors {@code remove_reader}.
     *
     * @param channel the channel
     * @return true if a reader callback was registered
     */
    public boolean removeReader(SelectableChannel channel) {
        return unwatch(channel, true);
    }

    /**
     * Calls {@code callback} on the loop whenever {@code channel} is writable (for a socket whose
     * connect is pending: once the connect finished, either way), until {@link #removeWriter}.
     * Mirrors {@code add_writer}.
     *
     * @param channel a non-blocking channel
     * @param callback what to run each time it is writable
     * @throws IllegalArgumentException if the channel is in blocking mode
     * @throws IllegalStateException if the channel is closed, or off the loop
     */
    public void addWriter(SelectableChannel channel, Runnable callback) {
        watch(channel, callback, false);
    }

    /**
     * Stops calling the channel's writer callback. Mirrors {@code remove_writer}.
     *
     * @param channel the channel
     * @return true if a writer callback was registered
     */
    public boolean removeWriter(SelectableChannel channel) {
        return unwatch(channel, false);
    }

    private Handle watch(SelectableChannel ch, Runnable callback, boolean read) {
        Objects.requireNonNull(ch, "channel");
        Objects.requireNonNull(callback, "callback");
        checkThread(read ? "add a reader" : "add a writer");
        checkOpen();
        if (ch.isBlocking()) {
            throw new IllegalArgumentException("the channel must be non-blocking (configureBlocking(false)): " + ch);
        }
        Selector sel = poller.selector();
        SelectionKey key = ch.keyFor(sel);
        IoWatch w;
        if (key == null || !key.isValid()) {
            if (!ch.isOpen()) {
                throw new IllegalStateException("the channel is closed: " + ch);
            }
            w = new IoWatch(ch);
            try {
                key = ch.register(sel, 0, w);
            } catch (java.nio.channels.ClosedChannelException e) {
                throw new IllegalStateException("the channel is closed: " + ch, e);
            } catch (CancelledKeyException e) {
                // The channel's previous key was cancelled and is deregistered at the next select.
                try {
                    sel.selectNow(k -> { });  // level-triggered: what it drops is reported again
                    key = ch.register(sel, 0, w);
                } catch (IOException e2) {
                    throw new java.io.UncheckedIOException(e2);
                }
            }
        } else {
            w = (IoWatch) key.attachment();
        }
        boolean wasWatched = w.reader != null || w.writer != null;
        Handle h = new Handle(this, callback).inContext(currentContext());
        if (read) {
            if (w.reader != null) {
                w.reader.cancel();
            }
            w.reader = h;
        } else {
            if (w.writer != null) {
                w.writer.cancel();
            }
            w.writer = h;
        }
        if (!wasWatched) {
            ioWatched++;
        }
        key.interestOps(interest(ch, w));
        return h;
    }

    private static int interest(SelectableChannel ch, IoWatch w) {
        int valid = ch.validOps();
        int ops = 0;
        if (w.reader != null) {
            ops |= valid & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
        }
        if (w.writer != null) {
            ops |= valid & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT);
        }
        return ops;
    }

    private boolean unwatch(SelectableChannel ch, boolean read) {
        return unwatch(ch, read, null);
    }

    /** Removes the channel's reader or writer; if {@code only} is not null, only if it is that one. */
    private boolean unwatch(SelectableChannel ch, boolean read, Handle only) {
        Objects.requireNonNull(ch, "channel");
        checkThread(read ? "remove a reader" : "remove a writer");
        if (!poller.hasSelector() || closed) {
            return false;
        }
        SelectionKey key = ch.keyFor(poller.selector());
        if (key == null) {
            return false;
        }
        IoWatch w = (IoWatch) key.attachment();
        Handle h = read ? w.reader : w.writer;
        if (h == null || (only != null && h != only)) {
            return false;
        }
        h.cancel();
        if (read) {
            w.reader = null;
        } else {
            w.writer = null;
        }
        if (w.reader == null && w.writer == null) {
            ioWatched--;
        }
        if (key.isValid()) {
            try {
                key.interestOps(interest(ch, w));
            } catch (CancelledKeyException e) {
                // closed meanwhile: nothing to change
            }
        }
        return true;
    }

    /**
     * Closes a channel this loop may watch so that it is closed when this returns: its watches are
     * removed, and its registration with the selector is flushed. The JDK defers closing a channel
     * that is registered with a selector until the selector next deregisters it, so a listening
     * socket closed while the loop runs would go on accepting connections into its backlog until
     * the next poll (asyncio closes the descriptor at once).
     */
    void closeChannel(SelectableChannel ch) {
        unwatch(ch, true);
        unwatch(ch, false);
        boolean registered = poller.hasSelector() && !closed && ch.keyFor(poller.selector()) != null;
        closeQuietly(ch);
        if (registered) {
            try {
                poller.selector().selectNow(k -> { });  // level-triggered: what it drops is reported again
            } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                // the selector is going away with the loop, and takes the registration with it
            }
        }
    }

    /**
     * Waits until the channel is readable (a cancellation point: the watch is removed either way).
     * Only this wait's own watch is removed: when a cancelled wait winds down, the next call on
     * the same channel may already have put its own in place (asyncio's sock_* fix for bpo-30064).
     */
    private void awaitReady(SelectableChannel ch, boolean read, String what) {
        AsyncFuture<Void> f = createFuture();
        f.describedAs(what);
        Runnable wake = () -> {
            if (!f.isDone()) {
                f.setResult(null);
            }
        };
        Handle mine = watch(ch, wake, read);
        boolean ready = false;
        try {
            f.await();
            ready = true;
        } finally {
            unwatch(ch, read, mine);
            if (!ready) {
                deregisterIfUnwatched(ch);
            }
        }
    }

    /**
     * Takes a channel nobody watches any more off the selector at once. The JDK defers closing a
     * channel that is still registered until the selector's next poll, which may never come if
     * the loop has stopped: a listening socket would go on taking connections into its backlog
     * (and reset them later), a pipe's other end would not see its end. asyncio's
     * {@code remove_reader} leaves the descriptor closable at once; so does a {@code sock_*} wait
     * that was cancelled or failed. A {@code sock_*} wait that ended because its channel was ready
     * keeps the registration, for the next call on it. ({@link #removeReader} and
     * {@link #removeWriter} do not do this yet: the transports call them too, and a transport's
     * close relies on the deferred close, see {@code EventsConformanceTest.test_writer_callback}.)
     */
    private void deregisterIfUnwatched(SelectableChannel ch) {
        if (!poller.hasSelector() || closed) {
            return;
        }
        SelectionKey key = ch.keyFor(poller.selector());
        if (key == null || (key.attachment() instanceof IoWatch w && (w.reader != null || w.writer != null))) {
            return;
        }
        key.cancel();
        try {
            poller.selector().selectNow(k -> { });  // level-triggered: what it drops is reported again
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // the selector is going away with the loop, and takes the registration with it
        }
    }

    private static void checkNonBlocking(SelectableChannel ch) {
        if (ch.isBlocking()) {
            throw new IllegalArgumentException("the channel must be non-blocking (configureBlocking(false)): " + ch);
        }
    }

    /**
     * Reads what is available, waiting until something is. Mirrors {@code sock_recv_into}, but
     * returns -1 at end of stream as NIO does (asyncio returns 0).
     *
     * <p>A cancellation point: if cancelled, nothing was read.
     *
     * @param channel a connected non-blocking socket
     * @param buffer where the bytes go, from its position; must have room
     * @return how many bytes were read, or -1 at end of stream
     * @throws IOException if the read fails (a reset, a closed channel)
     */
    public int sockRecvInto(SocketChannel channel, ByteBuffer buffer) throws IOException {
        requireCurrentTask("sockRecvInto");
        checkNonBlocking(channel);
        if (!buffer.hasRemaining()) {
            throw new IllegalArgumentException("the buffer has no room");
        }
        for (;;) {
            int n = channel.read(buffer);
            if (n != 0) {
                return n;
            }
            awaitReady(channel, true, "sockRecv");
        }
    }

    /**
     * Reads up to {@code max} bytes, waiting until some are available. Mirrors {@code sock_recv}.
     *
     * <p>A cancellation point: if cancelled, nothing was read.
     *
     * @param channel a connected non-blocking socket
     * @param max the most bytes to return, positive
     * @return the bytes; empty at end of stream
     * @throws IOException if the read fails
     */
    public byte[] sockRecv(SocketChannel channel, int max) throws IOException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        ByteBuffer b = ByteBuffer.allocate(max);
        int n = sockRecvInto(channel, b);
        return n <= 0 ? new byte[0] : java.util.Arrays.copyOf(b.array(), n);
    }

    /**
     * Sends every byte, waiting whenever the socket's buffer is full. Mirrors {@code sock_sendall}.
     *
     * <p>A cancellation point: if cancelled, an unknown prefix of the data was sent (the buffer's
     * position says how much), as in asyncio.
     *
     * @param channel a connected non-blocking socket
     * @param data the bytes from its position to its limit; the position advances as they go
     * @throws IOException if a write fails
     */
    public void sockSendall(SocketChannel channel, ByteBuffer data) throws IOException {
        requireCurrentTask("sockSendall");
        checkNonBlocking(channel);
        while (data.hasRemaining()) {
            if (channel.write(data) == 0) {
                awaitReady(channel, false, "sockSendall");
            }
        }
    }

    /**
     * Sends every byte of the array; see {@link #sockSendall(SocketChannel, ByteBuffer)}.
     *
     * @param channel a connected non-blocking socket
     * @param data the bytes
     * @throws IOException if a write fails
     */
    public void sockSendall(SocketChannel channel, byte[] data) throws IOException {
        sockSendall(channel, ByteBuffer.wrap(data));
    }

    /**
     * Connects the socket, waiting for the connection. Mirrors {@code sock_connect} (the address
     * must already be resolved; see {@link #getaddrinfo}).
     *
     * <p>A cancellation point: if cancelled, the connect is abandoned and the channel closed.
     *
     * @param channel an unconnected non-blocking socket
     * @param address where to connect
     * @throws IOException if the connect fails ({@link java.net.ConnectException} when refused)
     */
    public void sockConnect(SocketChannel channel, SocketAddress address) throws IOException {
        requireCurrentTask("sockConnect");
        checkNonBlocking(channel);
        if (address instanceof InetSocketAddress isa && isa.isUnresolved()) {
            throw new IllegalArgumentException("the address must be resolved (see getaddrinfo): " + address);
        }
        boolean ok = false;
        try {
            if (!channel.connect(address)) {
                while (true) {
                    awaitReady(channel, false, "sockConnect " + address);
                    if (channel.finishConnect()) {
                        break;
                    }
                }
            }
            ok = true;
        } catch (java.net.ConnectException e) {
            java.net.ConnectException c = new java.net.ConnectException(e.getMessage() + ": " + address);
            c.initCause(e);
            throw c;
        } finally {
            if (!ok) {
                closeQuietly(channel);
            }
        }
    }

    /**
     * Accepts a connection, waiting for one. Mirrors {@code sock_accept}; the new channel is
     * non-blocking.
     *
     * <p>A cancellation point: if cancelled, no connection was accepted.
     *
     * @param channel a bound non-blocking server socket
     * @return the accepted connection
     * @throws IOException if accept fails
     */
    public SocketChannel sockAccept(ServerSocketChannel channel) throws IOException {
        requireCurrentTask("sockAccept");
        checkNonBlocking(channel);
        for (;;) {
            SocketChannel c = channel.accept();
            if (c != null) {
                c.configureBlocking(false);
                return c;
            }
            awaitReady(channel, true, "sockAccept");
        }
    }

    /**
     * A datagram and where it came from: what {@link #sockRecvfrom} returns.
     *
     * @param data the datagram's bytes
     * @param address the sender
     */
    public record Datagram(byte[] data, SocketAddress address) {}

    /**
     * Receives one datagram of up to {@code max} bytes, waiting until one arrives. Mirrors
     * {@code sock_recvfrom}: the rest of a longer datagram is lost.
     *
     * <p>A cancellation point: if cancelled, nothing was received.
     *
     * @param channel a non-blocking datagram socket
     * @param max the most bytes to return, positive
     * @return the datagram and its sender
     * @throws IOException if the receive fails
     */
    public Datagram sockRecvfrom(java.nio.channels.DatagramChannel channel, int max) throws IOException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        ByteBuffer b = ByteBuffer.allocate(max);
        SocketAddress from = sockRecvfromInto(channel, b);
        return new Datagram(java.util.Arrays.copyOf(b.array(), b.position()), from);
    }

    /**
     * Receives one datagram into {@code buffer}, waiting until one arrives. Mirrors
     * {@code sock_recvfrom_into}: the bytes go at the buffer's position, which advances past them
     * (so the count asyncio returns is the change of position), up to its limit; the rest of a
     * longer datagram is lost.
     *
     * <p>A cancellation point: if cancelled, nothing was received.
     *
     * @param channel a non-blocking datagram socket
     * @param buffer where the bytes go
     * @return the sender
     * @throws IOException if the receive fails
     */
    public SocketAddress sockRecvfromInto(java.nio.channels.DatagramChannel channel, ByteBuffer buffer)
            throws IOException {
        requireCurrentTask("sockRecvfromInto");
        checkNonBlocking(channel);
        for (;;) {
            SocketAddress from = channel.receive(buffer);
            if (from != null) {
                return from;
            }
            awaitReady(channel, true, "sockRecvfrom");
        }
    }

    /**
     * Sends one datagram to {@code address}, waiting while the socket's buffer has no room for
     * it. Mirrors {@code sock_sendto}.
     *
     * <p>A cancellation point: if cancelled, the datagram was not sent.
     *
     * @param channel a non-blocking datagram socket
     * @param data the datagram, from its position to its limit; the position advances when it is sent
     * @param address where to send it; null for a connected socket's peer
     * @return how many bytes were sent (all of them)
     * @throws IOException if the send fails
     */
    public int sockSendto(java.nio.channels.DatagramChannel channel, ByteBuffer data, SocketAddress address)
            throws IOException {
        requireCurrentTask("sockSendto");
        checkNonBlocking(channel);
        if (address instanceof InetSocketAddress isa && isa.isUnresolved()) {
            throw new IllegalArgumentException("the address must be resolved (see getaddrinfo): " + address);
        }
        int len = data.remaining();
        for (;;) {
            int n = address == null ? channel.write(data) : channel.send(data, address);
            if (n != 0 || len == 0) {
                return n;
            }
            awaitReady(channel, false, "sockSendto");
        }
    }

    /**
     * Sends the array as one datagram; see {@link #sockSendto(java.nio.channels.DatagramChannel,
     * ByteBuffer, SocketAddress)}.
     *
     * @param channel a non-blocking datagram socket
     * @param data the datagram
     * @param address where to send it; null for a connected socket's peer
     * @return how many bytes were sent
     * @throws IOException if the send fails
     */
    public int sockSendto(java.nio.channels.DatagramChannel channel, byte[] data, SocketAddress address)
            throws IOException {
        return sockSendto(channel, ByteBuffer.wrap(data), address);
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing after a failure: the first error is the one that matters
        }
    }

    /**
     * Resolves a host name, off the loop (a blocking JDK call on the default executor). Mirrors
     * {@code getaddrinfo}: every address, in the resolver's order.
     *
     * <p>A cancellation point: cancelling abandons the lookup.
     *
     * @param host a name or a literal address; null or empty means the loopback address
     * @param port the port to pair each address with
     * @param family {@link java.net.StandardProtocolFamily#INET} or {@code INET6} for one family
     *     only; null for both
     * @return the addresses, never empty
     * @throws java.net.UnknownHostException if the name does not resolve (to that family)
     */
    public List<InetSocketAddress> getaddrinfo(String host, int port, java.net.ProtocolFamily family)
            throws java.net.UnknownHostException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        requireCurrentTask("getaddrinfo");
        InetAddress[] all;
        if (host == null || host.isEmpty()) {
            all = new InetAddress[] {InetAddress.getLoopbackAddress()};
        } else if (isLiteral(host)) {
            try {
                all = new InetAddress[] {InetAddress.getByName(host)};  // a literal: no lookup
            } catch (java.net.UnknownHostException e) {
                throw e;
            }
        } else {
            try {
                all = this.<InetAddress[]>runInExecutor(null, () -> InetAddress.getAllByName(host))
                        .describedAs("getaddrinfo " + host).await();
            } catch (RuntimeException e) {
                if (e.getCause() instanceof java.net.UnknownHostException u) {
                    throw u;
                }
                throw e;
            }
        }
        List<InetSocketAddress> out = new java.util.ArrayList<>(all.length);
        for (InetAddress a : all) {
            if (family == null
                    || family == java.net.StandardProtocolFamily.INET && a instanceof java.net.Inet4Address
                    || family == java.net.StandardProtocolFamily.INET6 && a instanceof java.net.Inet6Address) {
                out.add(new InetSocketAddress(a, port));
            }
        }
        if (out.isEmpty()) {
            throw new java.net.UnknownHostException(host + ": no " + family + " address");
        }
        return out;
    }

    /**
     * Resolves a host name to every address, both families; see
     * {@link #getaddrinfo(String, int, java.net.ProtocolFamily)}.
     *
     * @param host a name or a literal address
     * @param port the port to pair each address with
     * @return the addresses
     * @throws java.net.UnknownHostException if the name does not resolve
     */
    public List<InetSocketAddress> getaddrinfo(String host, int port) throws java.net.UnknownHostException {
        return getaddrinfo(host, port, null);
    }

    /**
     * The host name of an address (a reverse lookup, off the loop) and its port as a service
     * number. Mirrors {@code getnameinfo}; when the address has no name, the literal address.
     *
     * <p>A cancellation point.
     *
     * @param address a resolved address
     * @return the host and port
     */
    public NameInfo getnameinfo(InetSocketAddress address) {
        requireCurrentTask("getnameinfo");
        InetAddress a = address.getAddress();
        if (a == null) {
            throw new IllegalArgumentException("the address must be resolved: " + address);
        }
        String name = this.<String>runInExecutor(null, a::getCanonicalHostName)
                .describedAs("getnameinfo " + a.getHostAddress()).await();
        return new NameInfo(name, address.getPort());
    }

    /**
     * What {@link #getnameinfo} returns.
     *
     * @param host the host name, or the literal address when it has none
     * @param port the port
     */
    public record NameInfo(String host, int port) {}

    private static boolean isLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;  // IPv6
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c == '.' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ I/O: transports and protocols

    /**
     * Connects over TCP (or TLS) and gives the connection a transport and a protocol from
     * {@code protocolFactory}. Mirrors {@code create_connection}: the host's addresses are tried in
     * turn (or raced, with happy eyeballs) and the first to connect wins; when all fail, the
     * exception names every address and its error.
     *
     * <p>A cancellation point: if cancelled, every attempt is abandoned and nothing stays open.
     *
     * @param protocolFactory makes the protocol, on the loop, once connected
     * @param host a host name or literal address
     * @param port the port
     * @param options TLS, local address, time limit, happy eyeballs
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if no address connects ({@link java.net.ConnectException} when refused,
     *     {@link javax.net.ssl.SSLException} when TLS fails)
     * @throws AsyncTimeoutException if {@code options.connectTimeout()} passed
     */
    public <P extends StreamProtocol> Endpoint<P> createConnection(Supplier<? extends P> protocolFactory, String host,
            int port, ConnectOptions options) throws IOException {
        requireCurrentTask("createConnection");
        return io.jasyncio.internal.net.Tcp.connect(this, protocolFactory, host, port, options);
    }

    /**
     * Connects over TCP with the {@link ConnectOptions#DEFAULTS}; see
     * {@link #createConnection(Supplier, String, int, ConnectOptions)}.
     *
     * @param protocolFactory makes the protocol once connected
     * @param host a host name or literal address
     * @param port the port
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if no address connects
     */
    public <P extends StreamProtocol> Endpoint<P> createConnection(Supplier<? extends P> protocolFactory, String host,
            int port) throws IOException {
        return createConnection(protocolFactory, host, port, ConnectOptions.DEFAULTS);
    }

    /**
     * Wraps an already connected socket (asyncio's {@code sock=} argument), doing the TLS handshake
     * if {@code options.ssl()} is set.
     *
     * <p>A cancellation point (the TLS handshake): if cancelled, the socket is closed.
     *
     * @param protocolFactory makes the protocol
     * @param connected a connected socket channel; it is made non-blocking
     * @param options TLS settings (the others are ignored)
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if TLS fails
     */
    public <P extends StreamProtocol> Endpoint<P> createConnection(Supplier<? extends P> protocolFactory,
            SocketChannel connected, ConnectOptions options) throws IOException {
        requireCurrentTask("createConnection");
        return io.jasyncio.internal.net.Tcp.wrapConnected(this, protocolFactory, connected, options);
    }

    /**
     * Connects to a Unix domain socket. Mirrors {@code create_unix_connection}.
     *
     * <p>A cancellation point: if cancelled, nothing stays open.
     *
     * @param protocolFactory makes the protocol once connected
     * @param path the socket's path
     * @param options TLS settings and the time limit (the others are ignored)
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if the connect fails
     */
    public <P extends StreamProtocol> Endpoint<P> createUnixConnection(Supplier<? extends P> protocolFactory,
            java.nio.file.Path path, ConnectOptions options) throws IOException {
        requireCurrentTask("createUnixConnection");
        return io.jasyncio.internal.net.Tcp.connectUnix(this, protocolFactory, path, options);
    }

    /**
     * Listens on {@code host:port} and gives each accepted connection a transport and a fresh
     * protocol. Mirrors {@code create_server}: a null or empty host listens on every interface
     * (both families); a name listens on each of its addresses, and {@code "0.0.0.0"} on IPv4's
     * only, as in asyncio; port 0 picks a free port (see {@link Server#port()}).
     *
     * @param protocolFactory makes each connection's protocol, on the loop
     * @param host where to listen, or null for everywhere
     * @param port the port, 0 for any free one
     * @param options backlog, reuse-port, TLS, start serving
     * @return the server, listening
     * @throws IOException if a bind fails ({@link java.net.BindException} when the port is taken)
     */
    public Server createServer(Supplier<? extends StreamProtocol> protocolFactory, String host, int port,
            ServerOptions options) throws IOException {
        requireCurrentTask("createServer");
        return io.jasyncio.internal.net.Tcp.listen(this, protocolFactory, host, port, options);
    }

    /**
     * Listens with the {@link ServerOptions#DEFAULTS}; see
     * {@link #createServer(Supplier, String, int, ServerOptions)}.
     *
     * @param protocolFactory makes each connection's protocol
     * @param host where to listen, or null for everywhere
     * @param port the port, 0 for any free one
     * @return the server, listening
     * @throws IOException if a bind fails
     */
    public Server createServer(Supplier<? extends StreamProtocol> protocolFactory, String host, int port)
            throws IOException {
        return createServer(protocolFactory, host, port, ServerOptions.DEFAULTS);
    }

    /**
     * Serves on an already bound server socket (asyncio's {@code sock=} argument). A Unix domain
     * socket's file is removed when the server closes, as {@link #createUnixServer} does, unless
     * another socket has been bound at that path since.
     *
     * @param protocolFactory makes each connection's protocol
     * @param bound a bound server socket channel; it is made non-blocking
     * @param options TLS and start serving (the others are ignored)
     * @return the server
     * @throws IOException if the channel cannot be used
     */
    public Server createServer(Supplier<? extends StreamProtocol> protocolFactory, ServerSocketChannel bound,
            ServerOptions options) throws IOException {
        requireCurrentTask("createServer");
        return io.jasyncio.internal.net.Tcp.serve(this, protocolFactory, List.of(bound), options);
    }

    /**
     * Listens on a Unix domain socket. Mirrors {@code create_unix_server}; a stale socket file left
     * at {@code path} by an earlier run is removed first (as asyncio does), any other file is an
     * error. The file is removed again when the server closes (asyncio 3.13's
     * {@code cleanup_socket}), unless another socket has been bound at that path since.
     *
     * @param protocolFactory makes each connection's protocol
     * @param path the socket's path
     * @param options backlog, TLS, start serving
     * @return the server, listening
     * @throws IOException if the bind fails
     */
    public Server createUnixServer(Supplier<? extends StreamProtocol> protocolFactory, java.nio.file.Path path,
            ServerOptions options) throws IOException {
        requireCurrentTask("createUnixServer");
        return io.jasyncio.internal.net.Tcp.listenUnix(this, protocolFactory, path, options);
    }

    /**
     * Upgrades an open connection to TLS: the handshake runs over {@code transport}, and the
     * returned transport carries plaintext to and from {@code protocol}. Mirrors
     * {@code start_tls}; the old transport must not be used afterwards.
     *
     * <p>A cancellation point: if cancelled (or the handshake fails), the connection is closed.
     *
     * @param transport an open transport (reading is paused during the switch)
     * @param protocol the protocol to receive the plaintext
     * @param context the TLS context
     * @param serverSide true to act as the TLS server
     * <p>As in asyncio, the protocol gets no second {@code connectionMade} (it had one for the
     * plain connection), and plaintext is delivered only after this returns.
     *
     * @param serverHostname client side: the name to verify and send as SNI; {@code ""} for
     *     neither; must not be null on the client side
     * @param handshakeTimeout seconds the handshake may take
     * @return the new TLS transport
     * @throws IOException if the handshake fails ({@link javax.net.ssl.SSLHandshakeException}
     *     naming why), or {@link java.net.SocketTimeoutException} if it timed out
     * @throws IllegalArgumentException if {@code serverHostname} is null on the client side
     */
    public Transport startTls(Transport transport, StreamProtocol protocol, SSLContext context, boolean serverSide,
            String serverHostname, double handshakeTimeout) throws IOException {
        return startTls(transport, protocol, context, serverSide, serverHostname, handshakeTimeout, 30.0);
    }

    /**
     * {@link #startTls(Transport, StreamProtocol, SSLContext, boolean, String, double)} with the
     * time the TLS close may take before the connection is aborted (asyncio's
     * {@code ssl_shutdown_timeout}, 30 s by default).
     *
     * @param transport an open transport
     * @param protocol the protocol to receive the plaintext
     * @param context the TLS context
     * @param serverSide true to act as the TLS server
     * @param serverHostname client side: the name to verify and send as SNI; {@code ""} for neither
     * @param handshakeTimeout seconds the handshake may take
     * @param shutdownTimeout seconds the close may take
     * @return the new TLS transport
     * @throws IOException if the handshake fails
     */
    public Transport startTls(Transport transport, StreamProtocol protocol, SSLContext context, boolean serverSide,
            String serverHostname, double handshakeTimeout, double shutdownTimeout) throws IOException {
        requireCurrentTask("startTls");
        return io.jasyncio.internal.net.Tls.startTls(this, transport, protocol, context, serverSide,
                serverHostname, handshakeTimeout, shutdownTimeout);
    }

    /**
     * Starts a program and connects its pipes to a protocol. Mirrors {@code subprocess_exec}; see
     * {@link io.jasyncio.subprocess.Subprocess#subprocessExec}.
     *
     * @param protocolFactory makes the protocol
     * @param args the program and its arguments
     * @param options pipes, directory, environment
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if the program cannot be started
     */
    public <P extends io.jasyncio.subprocess.SubprocessProtocol> io.jasyncio.subprocess.SubprocessEndpoint<P> subprocessExec(
            Supplier<? extends P> protocolFactory, List<String> args, io.jasyncio.subprocess.SubprocessOptions options)
            throws IOException {
        requireCurrentTask("subprocessExec");
        return io.jasyncio.subprocess.Subprocess.subprocessExec(this, protocolFactory, args, options);
    }

    /**
     * Runs {@code /bin/sh -c command} and connects its pipes to a protocol. Mirrors
     * {@code subprocess_shell}; see {@link io.jasyncio.subprocess.Subprocess#subprocessShell}.
     *
     * @param protocolFactory makes the protocol
     * @param command the shell command line
     * @param options pipes, directory, environment
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if the program cannot be started
     */
    public <P extends io.jasyncio.subprocess.SubprocessProtocol> io.jasyncio.subprocess.SubprocessEndpoint<P> subprocessShell(
            Supplier<? extends P> protocolFactory, String command, io.jasyncio.subprocess.SubprocessOptions options)
            throws IOException {
        requireCurrentTask("subprocessShell");
        return io.jasyncio.subprocess.Subprocess.subprocessShell(this, protocolFactory, command, options);
    }

    /**
     * Opens a UDP endpoint. Mirrors {@code create_datagram_endpoint}.
     *
     * @param protocolFactory makes the protocol
     * @param options local and remote address, reuse-port, broadcast
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if the bind or connect fails
     */
    public <P extends DatagramProtocol> DatagramEndpoint<P> createDatagramEndpoint(
            Supplier<? extends P> protocolFactory, DatagramOptions options) throws IOException {
        requireCurrentTask("createDatagramEndpoint");
        return io.jasyncio.internal.net.Udp.open(this, protocolFactory, options);
    }


    // ------------------------------------------------------------------ threads and executors

    /**
     * Runs {@code fn} on {@code executor} (the default executor if {@code null}) and returns a
     * future of this loop for its outcome. Mirrors {@code run_in_executor}. Cancelling the future
     * interrupts the worker (asyncio cannot stop the thread; we can).
     *
     * @param <T> the result type
     * @param executor where to run, or {@code null} for the default executor (a virtual thread per
     *     call)
     * @param fn the blocking work
     * @return the future of its outcome
     */
    public <T> AsyncFuture<T> runInExecutor(Executor executor, Callable<? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        checkThread("run in an executor");
        checkOpen();
        Executor ex = executor != null ? executor : defaultExecutor();
        AsyncFuture<T> f = createFuture();
        f.label = "work on another thread";
        FutureTask<T> work = new FutureTask<>(fn::call) {
            @Override
            protected void done() {
                try {
                    callSoonThreadsafe(() -> {
                        externalPending--;
                        deliver(this, f);
                    });
                } catch (IllegalStateException closedLoop) {
                    // Nobody is left to tell.
                }
            }
        };
        f.addDoneCallback(x -> {
            if (x.isCancelled()) {
                work.cancel(true);
            }
        });
        externalPending++;
        Semaphore permits = executor == null && ownDefaultExecutor ? executorPermits : null;
        try {
            ex.execute(permits == null ? work : () -> runWithPermit(permits, work));
        } catch (RuntimeException e) {
            externalPending--;
            throw e;
        }
        return f;
    }

    /** Runs {@code work} once one of the default executor's permits is free (a fair semaphore). */
    private static void runWithPermit(Semaphore permits, FutureTask<?> work) {
        if (work.isDone()) {
            return; // cancelled while queued
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            work.cancel(false);
            return;
        }
        try {
            work.run();
        } finally {
            permits.release();
        }
    }

    private static <T> void deliver(FutureTask<T> work, AsyncFuture<T> f) {
        if (f.isDone()) {
            return;
        }
        try {
            f.trySetResult(work.get());
        } catch (ExecutionException e) {
            f.trySetException(e.getCause());
        } catch (CancellationException e) {
            f.cancelSelf(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.trySetException(e);
        }
    }

    /** Whether {@link #defaultExecutor} is the built-in one (which the thread limit applies to). */
    private boolean ownDefaultExecutor;

    /**
     * How many calls the built-in default executor runs at once: 0 for no limit (the default:
     * one virtual thread per call), else set by {@link Builder#maxExecutorThreads(int)} or the
     * system property {@code jasyncio.executor.maxThreads}. Calls beyond the limit wait (on their
     * own virtual threads, off the loop) for a free slot, roughly in the order they were made.
     *
     * @return the limit, 0 if none
     */
    public int getMaxExecutorThreads() {
        return maxExecutorThreads;
    }

    private ExecutorService defaultExecutor() {
        if (executorShutdownCalled) {
            throw new IllegalStateException("Executor shutdown has been called: " + this);
        }
        ExecutorService ex = defaultExecutor;
        if (ex == null) {
            ex = Executors.newThreadPerTaskExecutor(Carriers.sharedSchedulerBuilder().name("jasyncio-executor-" + id + "-", 0).factory());
            defaultExecutor = ex;
            ownDefaultExecutor = true;
        }
        return ex;
    }

    /**
     * Replaces the default executor used by {@link #runInExecutor} with {@code null} and by
     * {@link Asyncio#toThread}. The loop shuts it down when it closes.
     *
     * @param executor the new default executor
     */
    public void setDefaultExecutor(ExecutorService executor) {
        checkThread("set the default executor");
        defaultExecutor = Objects.requireNonNull(executor, "executor");
        ownDefaultExecutor = false;
    }

    /**
     * Shuts down the default executor and returns a future that completes when its work has
     * finished, or after 300 seconds. Mirrors {@code shutdown_default_executor}; {@link Asyncio#run}
     * awaits it before closing the loop.
     *
     * @return a future completed when the executor has terminated
     */
    public AsyncFuture<Void> shutdownDefaultExecutor() {
        return shutdownDefaultExecutor(300);
    }

    /**
     * Like {@link #shutdownDefaultExecutor()}, waiting at most {@code timeout} seconds.
     *
     * @param timeout seconds to wait for running work
     * @return a future completed when the executor has terminated or the wait is over
     */
    public AsyncFuture<Void> shutdownDefaultExecutor(double timeout) {
        checkDelay(timeout);
        checkThread("shut down the default executor");
        executorShutdownCalled = true;
        AsyncFuture<Void> f = createFuture();
        ExecutorService ex = defaultExecutor;
        if (ex == null) {
            f.setResult(null);
            return f;
        }
        ex.shutdown();
        externalPending++;
        Carriers.sharedSchedulerBuilder().name("jasyncio-executor-shutdown-" + id).start(() -> {
            boolean done = false;
            try {
                done = ex.awaitTermination(secondsToNanos(timeout), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!done) {
                LOG.log(System.Logger.Level.WARNING, "The default executor did not finish joining its threads within {0} seconds", timeout);
            }
            try {
                callSoonThreadsafe(() -> {
                    externalPending--;
                    f.trySetResult(null);
                });
            } catch (IllegalStateException closedLoop) {
                // The loop is gone; nobody awaits the future.
            }
        });
        return f;
    }

    /**
     * A future of this loop that follows {@code future}; see {@link #wrapFuture(CompletionStage)}.
     * (This overload settles which one applies, since a {@link CompletableFuture} is both a
     * {@link CompletionStage} and a {@link Future}.)
     *
     * @param <T> the result type
     * @param future the future to follow
     * @return the future
     */
    public <T> AsyncFuture<T> wrapFuture(CompletableFuture<? extends T> future) {
        return wrapFuture((CompletionStage<? extends T>) future);
    }

    /**
     * A future of this loop that follows a plain {@link Future} (a {@link FutureTask}, what an
     * {@link ExecutorService} returns): a virtual thread waits for it and reports through
     * {@link #callSoonThreadsafe}, so the loop never blocks. Cancelling the returned future
     * cancels {@code future} with interruption; a {@code future} cancelled elsewhere cancels the
     * returned one. A {@link CompletionStage} is followed without a thread, as by
     * {@link #wrapFuture(CompletionStage)}.
     *
     * @param <T> the result type
     * @param future the future to follow
     * @return the future
     */
    @SuppressWarnings("unchecked")
    public <T> AsyncFuture<T> wrapFuture(Future<? extends T> future) {
        Objects.requireNonNull(future, "future");
        if (future instanceof CompletionStage<?> stage) {
            return wrapFuture((CompletionStage<? extends T>) stage);
        }
        checkThread("wrap a future");
        checkOpen();
        AsyncFuture<T> f = createFuture();
        f.label = "a java.util.concurrent.Future";
        if (future.isDone()) {
            settle(f, future);
            return f;
        }
        externalPending++;
        Thread watcher = Carriers.sharedSchedulerBuilder().name("jasyncio-future-watcher-" + id).unstarted(() -> {
            try {
                future.get();
            } catch (InterruptedException e) {
                future.cancel(true); // the AsyncFuture was cancelled: pass it on
            } catch (ExecutionException | CancellationException e) {
                // settle() reads the outcome
            }
            try {
                callSoonThreadsafe(() -> {
                    externalPending--;
                    if (!f.isDone()) {
                        settle(f, future);
                    }
                });
            } catch (IllegalStateException closedLoop) {
                // The loop is gone; nobody awaits the future.
            }
        });
        f.addDoneCallback(x -> {
            if (x.isCancelled()) {
                future.cancel(true);
                watcher.interrupt();
            }
        });
        watcher.start();
        return f;
    }

    /** Completes {@code f} as {@code done}, which is done, ended. */
    private static <T> void settle(AsyncFuture<T> f, Future<? extends T> done) {
        try {
            f.trySetResult(done.get());
        } catch (ExecutionException e) {
            f.trySetException(e.getCause() != null ? e.getCause() : e);
        } catch (CancellationException e) {
            f.cancelSelf(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.trySetException(e);
        }
    }

    /**
     * A future of this loop that follows {@code stage}, completed through
     * {@link #callSoonThreadsafe} whichever thread completes the stage. Cancelling the returned
     * future cancels the stage's {@link CompletableFuture}. Mirrors {@code wrap_future}.
     *
     * @param <T> the result type
     * @param stage the stage to follow
     * @return the future
     */
    public <T> AsyncFuture<T> wrapFuture(CompletionStage<? extends T> stage) {
        Objects.requireNonNull(stage, "stage");
        checkThread("wrap a future");
        checkOpen();
        AsyncFuture<T> f = createFuture();
        f.label = "a CompletableFuture";
        CompletableFuture<? extends T> cf = stage.toCompletableFuture();
        f.addDoneCallback(x -> {
            if (x.isCancelled()) {
                cf.cancel(true);
            }
        });
        externalPending++;
        cf.whenComplete((v, e) -> {
            Runnable complete = () -> {
                externalPending--;
                if (f.isDone()) {
                    return;
                }
                if (e == null) {
                    f.trySetResult(v);
                } else {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof CancellationException) {
                        f.cancelSelf(cause.getMessage());
                    } else {
                        f.trySetException(cause);
                    }
                }
            };
            try {
                callSoonThreadsafe(complete);
            } catch (IllegalStateException closedLoop) {
                // The loop is gone; nobody awaits the future.
            }
        });
        return f;
    }

    // ------------------------------------------------------------------ errors and debug

    /**
     * Sets the handler for errors that have nowhere else to go; {@code null} restores the default,
     * which logs them. Mirrors {@code set_exception_handler}.
     *
     * <h4>Errors</h4>
     * Whatever a callback (or a protocol method called from one) throws, {@link Error}s included,
     * reaches this handler, and the loop goes on: a {@link StackOverflowError}, a
     * {@link NoClassDefFoundError} (as when file descriptors run out), an {@link AssertionError}, a
     * {@link CancelledError}. A task's body keeps what it throws as the task's exception. A
     * {@link VirtualMachineError} other than {@code StackOverflowError} (out of memory, an
     * {@link InternalError}), from a callback or a task, and any failure of the loop's own
     * machinery, is reported here too, but the loop cannot go on after it: it stops at once (the
     * rest of the iteration does not run), closes itself, and {@link #runForever} throws the error.
     * (asyncio does the same with {@code SystemExit} and {@code KeyboardInterrupt}, but leaves the
     * loop open.) If reporting fails as well, the error is logged on the {@code io.jasyncio} logger.
     *
     * @param handler the handler, or {@code null}
     */
    public void setExceptionHandler(ExceptionHandler handler) {
        this.exceptionHandler = handler;
    }

    /** {@return the handler set with {@link #setExceptionHandler}, or {@code null} for the default} */
    public ExceptionHandler getExceptionHandler() {
        return exceptionHandler;
    }

    /**
     * The default handling: logs the context at ERROR level on the {@code io.jasyncio}
     * {@link System.Logger}. Mirrors {@code default_exception_handler}.
     *
     * @param context what happened
     */
    public void defaultExceptionHandler(ExceptionContext context) {
        Throwable e = context.exception();
        if (e != null) {
            LOG.log(System.Logger.Level.ERROR, context.toString(), e);
        } else {
            LOG.log(System.Logger.Level.ERROR, context.toString());
        }
    }

    /**
     * Passes an error to the handler (or the default handling). Mirrors
     * {@code call_exception_handler}; an error inside the handler is logged, never thrown.
     *
     * @param context what happened
     */
    public void callExceptionHandler(ExceptionContext context) {
        ExceptionHandler h = exceptionHandler;
        if (h == null) {
            try {
                defaultExceptionHandler(context);
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "Exception in default exception handler", e);
            }
            return;
        }
        try {
            h.handle(this, context);
        } catch (Throwable e) {
            try {
                defaultExceptionHandler(ExceptionContext.builder("Unhandled error in exception handler")
                        .exception(e).extra("context", context).build());
            } catch (Throwable e2) {
                LOG.log(System.Logger.Level.ERROR, "Exception in default exception handler while handling an error in the custom handler", e2);
            }
        }
    }

    /**
     * Turns debug mode on or off. In debug mode the loop reports callbacks and task steps that hold
     * it longer than {@link #getSlowCallbackDuration()}. Mirrors {@code set_debug}.
     *
     * @param enabled whether debug mode is on
     */
    public void setDebug(boolean enabled) {
        boolean wasTiming = accounting;
        this.debug = enabled;
        updateAccounting();
        if (owner != Thread.currentThread() || !running) {
            return;   // a step running elsewhere stays untimed; the next one is timed (or not)
        }
        // Switched inside a running step: time it from now (its start was not recorded), and
        // let the watchdog look at this loop from now on, or no longer.
        Task<?> t = currentTask;
        long now = System.nanoTime();
        if (accounting && !wasTiming && t != null) {
            stepStartNanos = now;
            stepTimed = true;
        }
        if (enabled) {
            if (t != null && stepTimed) {
                publishStep(t, now);
            }
            Watchdog.watch(this);
        } else {
            watchWhat = null;
            Watchdog.unwatch(this);
        }
    }

    void updateAccounting() {
        accounting = debug || profiledTasks > 0;
    }

    /** {@return whether debug mode is on} */
    public boolean getDebug() {
        return debug;
    }

    /** {@return the duration, in seconds, above which debug mode reports a callback or step} */
    public double getSlowCallbackDuration() {
        return slowCallbackNanos / 1e9;
    }

    /**
     * Sets the duration above which debug mode reports a callback or task step as slow.
     *
     * @param seconds the threshold, 0.1 by default
     */
    public void setSlowCallbackDuration(double seconds) {
        checkDelay(seconds);
        this.slowCallbackNanos = secondsToNanos(seconds);
        Watchdog.wake();
    }

    /** {@return how this loop's tasks are scheduled: {@link Scheduling#SHARED} or {@link Scheduling#DEDICATED}} */
    public Scheduling getScheduling() {
        return scheduling;
    }

    @Override
    public String toString() {
        return "EventLoop-" + id + "[" + (closed ? "closed" : running ? "running" : "idle")
                + ", " + scheduling.name().toLowerCase(java.util.Locale.ROOT) + (debug ? ", debug" : "") + "]";
    }

    /** Configures an {@link EventLoop}. */
    public static final class Builder {
        private LoopClock clock = LoopClock.system();
        private Boolean debug;
        private Scheduling scheduling;
        private boolean eagerTaskStart;
        private boolean trackUnretrieved;
        private Integer executorThreads;

        private Builder() {
        }

        /**
         * Limits how many calls the built-in default executor ({@link EventLoop#runInExecutor} with
         * {@code null}, {@link Asyncio#toThread}) runs at once; the rest wait for a free slot.
         * 0, the default, means no limit: a virtual thread per call. Overrides the system property
         * {@code jasyncio.executor.maxThreads}. A cap protects what the work touches (a connection
         * pool, the disk), not the JVM: virtual threads are cheap.
         *
         * @param max the limit, 0 for none
         * @return this builder
         */
        public Builder maxExecutorThreads(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxExecutorThreads must be 0 (no limit) or more, got " + max);
            }
            this.executorThreads = max;
            return this;
        }

        /**
         * Keeps every failed future until its exception is retrieved, so that
         * {@link EventLoop#unretrievedFailures()} can list them and {@link EventLoop#close()} reports
         * the rest at once, instead of whenever the garbage collector finds them. For tests: it
         * holds failed futures in memory until the loop closes.
         *
         * @param on whether to track
         * @return this builder
         */
        public Builder trackUnretrieved(boolean on) {
            this.trackUnretrieved = on;
            return this;
        }

        /**
         * The clock every timer reads (the system clock by default).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(LoopClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Debug mode (by default from the {@code jasyncio.debug} property or the
         * {@code JASYNCIO_DEBUG} environment variable).
         *
         * @param debug whether debug mode is on
         * @return this builder
         */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /**
         * Where task threads run (by default from the {@code jasyncio.scheduler} property, else
         * {@link Scheduling#AUTO}).
         *
         * @param scheduling the mode
         * @return this builder
         */
        public Builder scheduling(Scheduling scheduling) {
            this.scheduling = Objects.requireNonNull(scheduling, "scheduling");
            return this;
        }

        /**
         * Whether new tasks start eagerly by default; see {@link EventLoop#setEagerTaskStart}.
         *
         * @param eager the default
         * @return this builder
         */
        public Builder eagerTaskStart(boolean eager) {
            this.eagerTaskStart = eager;
            return this;
        }

        /**
         * Creates a loop with this builder's settings; the loop is not running, and is
         * registered (listed by {@link EventLoop#allLoops()}) until closed.
         *
         * @return a new loop
         * @throws IllegalStateException if {@link Scheduling#DEDICATED} was asked for and the JDK
         *     does not allow it
         */
        public EventLoop build() {
            return new EventLoop(this);
        }
    }
}
