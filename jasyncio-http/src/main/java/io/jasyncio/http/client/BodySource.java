package io.jasyncio.http.client;

import java.io.IOException;

/**
 * A request body produced piece by piece, sent chunked (or with the length given to
 * {@link ClientRequest#body(BodySource, long)}). {@link #next()} is called by the requesting task
 * and may await (read a file through a thread, take from a queue, pull an
 * {@link io.jasyncio.AsyncGenerator}); the client awaits the socket's write buffer between pieces,
 * so a fast source cannot outrun a slow server. A source can be sent once: requests with one are
 * not retried and their redirects that would resend the body are not followed.
 */
@FunctionalInterface
public interface BodySource {
    /**
     * The next piece of the body.
     *
     * @return the bytes (the client does not keep the array after sending it), or null at the end
     * @throws IOException if the body cannot be produced; the request fails with it and its
     *     connection is closed
     */
    byte[] next() throws IOException;
}
