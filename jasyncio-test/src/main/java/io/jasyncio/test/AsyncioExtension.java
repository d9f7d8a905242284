package io.jasyncio.test;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Runner;
import io.jasyncio.Scheduling;
import io.jasyncio.Task;
import io.jasyncio.TaskDump;
import io.jasyncio.VirtualClock;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs each test method as the main task of a fresh event loop.
 *
 * <ul>
 *   <li><b>Virtual time</b> (a {@link VirtualClock} with autojump, by default): a test that sleeps an
 *       hour takes milliseconds and timers fire at exact times; declare a {@code VirtualClock}
 *       parameter to advance time by hand.</li>
 *   <li><b>Debug mode</b> on, so a failure shows who cancelled what and where things were
 *       created.</li>
 *   <li><b>Leak checks</b>: the test fails if it leaves tasks pending (they are cancelled), if an
 *       exception of a failed task or future was never retrieved, or if anything reached the
 *       loop's exception handler (declare a {@link LoopErrors} parameter to check those
 *       yourself).</li>
 *   <li><b>No hangs</b>: a test that has not finished after {@link AsyncioSettings#timeout()} real
 *       seconds, or whose tasks all wait with nothing left that could wake them, fails with a dump
 *       of every task: who awaits whom, and where each one is.</li>
 * </ul>
 *
 * <p>Use it as {@code @ExtendWith(AsyncioExtension.class)} on a class (every {@code @Test} runs on a
 * loop) or through {@link AsyncioTest} on a method. Test methods may declare parameters of type
 * {@link EventLoop}, {@link VirtualClock} and {@link LoopErrors}.
 */
public final class AsyncioExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver, InvocationInterceptor {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(AsyncioExtension.class);

    /** Used by JUnit. */
    public AsyncioExtension() {
    }

    /** One test's loop and what the extension learns while it runs. */
    private static final class State {
        final EventLoop loop;
        final VirtualClock clock;
        final LoopErrors errors = new LoopErrors();
        final double timeout;
        volatile boolean errorsTakenOver;
        volatile Task<?> main;
        volatile String stuck;

        State(EventLoop loop, VirtualClock clock, double timeout) {
            this.loop = loop;
            this.clock = clock;
            this.timeout = timeout;
        }
    }

    @Override
    public void beforeEach(ExtensionContext ctx) {
        AsyncioSettings s = settings(ctx);
        boolean virtual = s == null || s.virtualTime();
        VirtualClock clock = virtual ? new VirtualClock(s == null || s.autojump()) : null;
        EventLoop.Builder b = EventLoop.builder().debug(s == null || s.debug()).trackUnretrieved(true);
        if (clock != null) {
            b.clock(clock);
        }
        if (s != null && s.scheduling() != Scheduling.AUTO) {
            b.scheduling(s.scheduling());
        }
        EventLoop loop = b.build();
        State st = new State(loop, clock, s == null ? 30 : s.timeout());
        loop.setExceptionHandler((l, c) -> st.errors.add(c));
        if (clock != null) {
            clock.setOnStuck(l -> {
                Task<?> main = st.main;
                if (st.stuck == null && main != null && !main.isDone()) {
                    st.stuck = "The test is stuck: every task waits, no timer is set and no work runs on another thread,"
                            + " so nothing can wake the loop.\n" + l.dumpTasks().tree();
                    main.cancel("stuck: nothing can wake the loop");
                }
            });
        }
        ctx.getStore(NS).put(State.class, st);
    }

    private static AsyncioSettings settings(ExtensionContext ctx) {
        AsyncioSettings onMethod = ctx.getTestMethod().map(m -> m.getAnnotation(AsyncioSettings.class)).orElse(null);
        if (onMethod != null) {
            return onMethod;
        }
        return ctx.getTestClass().map(c -> c.getAnnotation(AsyncioSettings.class)).orElse(null);
    }

    private static State state(ExtensionContext ctx) {
        return ctx.getStore(NS).get(State.class, State.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
        Class<?> t = p.getParameter().getType();
        return t == EventLoop.class || t == LoopErrors.class || (t == VirtualClock.class && state(ctx) != null && state(ctx).clock != null);
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
        State st = state(ctx);
        Class<?> t = p.getParameter().getType();
        if (t == EventLoop.class) {
            return st.loop;
        }
        if (t == VirtualClock.class) {
            return st.clock;
        }
        st.errorsTakenOver = true;
        return st.errors;
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext ctx) throws Throwable {
        State st = state(ctx);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().daemon().name("jasyncio-test " + ctx.getDisplayName()).start(() -> {
            try (Runner r = new Runner(() -> st.loop)) {
                r.run(() -> {
                    st.main = Asyncio.currentTask();
                    try {
                        invocation.proceed();
                    } catch (Throwable t) {
                        throw rethrow(t);
                    }
                    checkLeftovers(st.loop);
                    return null;
                });
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        runner.join(Math.max(1, (long) (st.timeout * 1000)));
        if (runner.isAlive()) {
            throw hung(st, runner);
        }
        Throwable f = failure.get();
        if (st.stuck != null) {
            AssertionError e = new AssertionError(st.stuck);
            if (f != null) {
                e.initCause(f);
            }
            throw e;
        }
        if (f != null) {
            throw f;
        }
        if (!st.errorsTakenOver && !st.errors.isEmpty()) {
            StringBuilder sb = new StringBuilder("Errors reached the loop's exception handler during the test"
                    + " (declare a LoopErrors parameter to check them yourself):");
            for (io.jasyncio.ExceptionContext c : st.errors.all()) {
                sb.append("\n- ").append(c.toString().replace("\n", "\n  ")); // the message, then its details
                if (c.exception() != null) {
                    sb.append(": ").append(c.exception());
                }
            }
            AssertionError e = new AssertionError(sb.toString());
            st.errors.all().forEach(c -> {
                if (c.exception() != null) {
                    e.addSuppressed(c.exception());
                }
            });
            throw e;
        }
    }

    /** After the body succeeded, on the loop: no task may be left pending, no failure unseen. */
    private static void checkLeftovers(EventLoop loop) {
        Task<?> me = Asyncio.currentTask();
        List<Task<?>> left = new ArrayList<>(loop.allTasks());
        left.remove(me);
        if (!left.isEmpty()) {
            String dump = loop.dumpTasks().tree();
            for (Task<?> t : left) {
                t.cancel("the test ended");
            }
            Asyncio.gather(true, left).await();
            throw new AssertionError("The test left " + left.size() + (left.size() == 1 ? " task" : " tasks")
                    + " pending (now cancelled). Tasks when it ended:\n" + dump);
        }
        List<AsyncFuture<?>> unseen = loop.unretrievedFailures();
        if (!unseen.isEmpty()) {
            AssertionError e = new AssertionError("The test never retrieved the exception of " + unseen.size()
                    + (unseen.size() == 1 ? " failed future: " : " failed futures: ") + unseen);
            for (AsyncFuture<?> f : unseen) {
                e.addSuppressed(f.exception());
            }
            throw e;
        }
    }

    private static AssertionError hung(State st, Thread runner) throws InterruptedException {
        TaskDump dump = st.loop.dumpTasksThreadsafe(Duration.ofSeconds(1));
        Task<?> main = st.main;
        if (main != null) {
            try {
                st.loop.callSoonThreadsafe(() -> main.cancel("the test timed out"));
            } catch (IllegalStateException closed) {
                // Already closing.
            }
        }
        runner.join(2000);
        return new AssertionError(String.format(Locale.ROOT,
                "The test did not finish within %.1f s of real time%s. Tasks:%n%s", st.timeout,
                runner.isAlive() ? " and could not be cancelled (its loop is blocked; the thread is abandoned)" : "",
                dump.tree()));
    }

    @Override
    public void afterEach(ExtensionContext ctx) {
        State st = state(ctx);
        if (st != null && !st.loop.isRunning()) {
            st.loop.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
