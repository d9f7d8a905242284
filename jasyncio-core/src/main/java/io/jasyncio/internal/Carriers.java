package io.jasyncio.internal;

import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;

/**
 * Virtual threads that run on a scheduler of our choosing instead of the JDK's shared one.
 *
 * <p>The JDK has no public API for this. Its builder class {@code ThreadBuilders.VirtualThreadBuilder}
 * has a package-private constructor taking the scheduler ({@code Executor}); it is reachable only
 * when {@code java.base/java.lang} is opened to this code ({@code --add-opens
 * java.base/java.lang=ALL-UNNAMED}, or {@code =io.jasyncio} on the module path). Opening it is the
 * user's opt-in; without it, or if a JDK changes the constructor, {@link #available()} is false and
 * loops use the shared scheduler.
 */
public final class Carriers {
    private static final Constructor<?> CTOR;
    private static final String UNAVAILABLE_REASON;
    private static final Executor JDK_SCHEDULER;

    static {
        Constructor<?> c = null;
        String why = null;
        try {
            Class<?> k = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            c = k.getDeclaredConstructor(Executor.class);
            c.setAccessible(true);
            // Prove it works end to end before relying on it.
            Thread.Builder.OfVirtual b = (Thread.Builder.OfVirtual) c.newInstance((Executor) Runnable::run);
            Thread probe = b.unstarted(() -> { });
            if (!probe.isVirtual()) {
                throw new IllegalStateException("builder made a platform thread");
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            c = null;
            why = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        Executor jdk = null;
        if (c != null) {
            try {
                java.lang.reflect.Field f = Class.forName("java.lang.VirtualThread").getDeclaredField("DEFAULT_SCHEDULER");
                f.setAccessible(true);
                jdk = (Executor) f.get(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                c = null;
                why = "cannot reach the JDK's virtual-thread scheduler: " + e;
            }
        }
        CTOR = c;
        UNAVAILABLE_REASON = why;
        JDK_SCHEDULER = jdk;
    }

    private Carriers() {
    }

    /** @return whether virtual threads can be given a scheduler of our own */
    public static boolean available() {
        return CTOR != null;
    }

    /** @return why {@link #available()} is false, or {@code null} */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /**
     * A builder of virtual threads scheduled by {@code scheduler}.
     *
     * @param scheduler runs the threads' continuations
     * @return the builder
     * @throws IllegalStateException if not {@link #available()}
     */
    public static Thread.Builder.OfVirtual builderOn(Executor scheduler) {
        if (CTOR == null) {
            throw new IllegalStateException("dedicated carriers are unavailable: " + UNAVAILABLE_REASON
                    + " (run with --add-opens java.base/java.lang=ALL-UNNAMED)");
        }
        // Before any virtual thread runs on this scheduler: the JDK's poller, started lazily by
        // the first virtual thread that blocks on a socket, would otherwise inherit it.
        ParkPoller.initJdkPoller();
        try {
            return (Thread.Builder.OfVirtual) CTOR.newInstance(scheduler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create a virtual thread builder", e);
        }
    }

    /**
     * A builder of virtual threads on the JDK's shared scheduler, whoever calls it. A virtual thread
     * made with {@link Thread#ofVirtual()} inherits the scheduler of the virtual thread that makes
     * it, so one made inside a task of a dedicated loop would share the loop's single carrier;
     * executor threads must not.
     *
     * @return the builder
     */
    public static Thread.Builder.OfVirtual sharedSchedulerBuilder() {
        return JDK_SCHEDULER == null ? Thread.ofVirtual() : builderOn(JDK_SCHEDULER);
    }
}
