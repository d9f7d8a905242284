package io.jasyncio.internal;

import io.jasyncio.EventLoop;

/**
 * What the loop lets its own implementation packages do that is not public API. Installed by
 * {@link EventLoop}'s class initialiser.
 */
public final class LoopAccess {
    private LoopAccess() {}

    /** The loop's non-public operations. Call on the loop's thread only. */
    public interface Ops {
        /**
         * Work on another thread will call back into the loop (a pipe reader, a blocking
         * resolver): virtual time must not jump past it. Pair with {@link #externalEnd}.
         *
         * @param loop the loop
         */
        void externalBegin(EventLoop loop);

        /**
         * The work announced by {@link #externalBegin} is over.
         *
         * @param loop the loop
         */
        void externalEnd(EventLoop loop);

        /**
         * The loop's instance of a per-loop service, made by {@code init} on first use (loop
         * thread only).
         *
         * @param loop the loop
         * @param key the service's class, its key
         * @param init makes it
         * @param <T> its type
         * @return the instance
         */
        <T> T service(EventLoop loop, Class<T> key, java.util.function.Supplier<T> init);

        /**
         * Runs {@code hook} when the loop closes, before its selector closes (to report and release
         * what is still open).
         *
         * @param loop the loop
         * @param hook what to run, on the closing thread
         */
        void onClose(EventLoop loop, Runnable hook);

        /**
         * Closes a channel the loop may watch, finishing its deregistration from the selector, so
         * that it is closed (a listening socket refuses connections) when this returns.
         *
         * @param loop the loop
         * @param channel the channel
         */
        void closeChannel(EventLoop loop, java.nio.channels.SelectableChannel channel);

        /**
         * Throws {@link IllegalStateException} if the loop is running and the caller is not its
         * baton holder (a foreign thread): what every loop method does.
         *
         * @param loop the loop
         * @param what what the caller tried, for the message ("write to a transport")
         */
        void checkThread(EventLoop loop, String what);

        /**
         * Where something is being created, if the loop is in debug mode (a throwable never
         * thrown), as futures and async generators record it.
         *
         * @param loop the loop
         * @param what what is created
         * @return the site, or null outside debug mode
         */
        Throwable creationSite(EventLoop loop, String what);

        /**
         * A creation site's stack from the first frame outside the runtime, as reports print it.
         *
         * @param site from {@link #creationSite}, or null
         * @return the text, or null
         */
        String siteText(Throwable site);
    }

    private static volatile Ops ops;

    /** Installed once, by EventLoop. @param o the operations */
    public static void install(Ops o) {
        ops = o;
    }

    /** The operations. */
    public static Ops ops() {
        Ops o = ops;
        if (o == null) {
            try {
                Class.forName(EventLoop.class.getName(), true, EventLoop.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            o = ops;
        }
        return o;
    }
}
