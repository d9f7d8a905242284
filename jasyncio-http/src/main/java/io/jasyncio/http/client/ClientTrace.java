package io.jasyncio.http.client;

import java.net.URI;

/**
 * Tracing hooks of a session (aiohttp's {@code TraceConfig} signals): implement the events you
 * want; each is called on the loop, in the requesting task, and must not block. An exception
 * thrown by a hook fails the request. Times are the loop's clock ({@link io.jasyncio.EventLoop#time()}).
 * Name resolution is part of the connect (the core resolves and connects in one call).
 */
public interface ClientTrace {
    /** A request (or a redirect's next request, or a retry) is about to be sent. */
    default void requestStart(String method, URI url) {}

    /** The request waits for the pool: no idle connection and no free slot. */
    default void poolWaitStart(String method, URI url) {}

    /** The request got a kept-alive connection from the pool. */
    default void connectionReused(String method, URI url) {}

    /** A new connection is being opened for the request. */
    default void connectionCreateStart(String method, URI url) {}

    /** A new connection is open (TCP, and TLS for https), {@code seconds} after it was started. */
    default void connectionCreateEnd(String method, URI url, double seconds) {}

    /** The response's head arrived (its first byte came with it or before). */
    default void responseHead(String method, URI url, int status) {}

    /** A redirect is followed. */
    default void redirect(String method, URI from, URI to, int status) {}

    /** The request failed before its response head. */
    default void requestException(String method, URI url, Throwable error) {}
}
