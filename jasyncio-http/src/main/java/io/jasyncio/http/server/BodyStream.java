package io.jasyncio.http.server;

import io.jasyncio.AsyncFuture;
import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A request's body as it arrives, in chunks (aiohttp's {@code request.content}). The server
 * stops reading the connection while more than {@code bodyBufferSize} bytes wait here unread, so
 * a slow reader of a large upload holds a bounded amount of memory. The first read of a request
 * that asked {@code Expect: 100-continue} sends the interim {@code 100 Continue}. Use it from the
 * handler's task.
 */
public final class BodyStream {
    private final Exchange exchange;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>(1); // allocated with the exchange: cheaper than a branch per access
    private int unread;
    private long received;
    private boolean ended;
    private RuntimeException failure;
    private IOException ioFailure;
    private AsyncFuture<Void> waiter;

    BodyStream(Exchange exchange, boolean empty) {
        this.exchange = exchange;
        this.ended = empty;
    }

    int unread() {
        return unread;
    }

    void feed(ByteBuffer data) {
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        byte[] b = new byte[n];
        data.get(b);
        chunks.add(b);
        unread += n;
        received += n;
        wake();
    }

    /** Whether a failure (a timeout, a disconnect, a bad chunk) ended it. */
    boolean failed() {
        return failure != null || ioFailure != null;
    }

    void end() {
        ended = true;
        wake();
    }

    void fail(RuntimeException e) {
        if (failure == null && ioFailure == null) {
            failure = e;
        }
        wake();
    }

    void fail(IOException e) {
        if (failure == null && ioFailure == null) {
            ioFailure = e;
        }
        wake();
    }

    private void wake() {
        AsyncFuture<Void> w = waiter;
        if (w != null && !w.isDone()) {
            w.setResult(null);
        }
    }

    /** Whether the whole body has been read. */
    public boolean atEof() {
        return ended && chunks.isEmpty();
    }

    /** How many body bytes have arrived so far. */
    public long received() {
        return received;
    }

    /**
     * The next chunk of the body, waiting for it; null at the end. A cancellation point: if
     * cancelled while waiting, nothing is lost (the next call returns the chunk).
     *
     * @throws HttpException 413 past the route's body limit, 400 on a malformed body, 408 if
     *                       nothing arrives for {@code bodyReadTimeout}
     * @throws IOException if the client has gone before the end
     */
    public byte[] read() throws IOException {
        exchange.beforeBodyRead();
        while (chunks.isEmpty()) {
            if (failure != null) {
                throw failure;
            }
            if (ioFailure != null) {
                throw ioFailure;
            }
            if (ended) {
                return null;
            }
            AsyncFuture<Void> w = exchange.conn.loop().createFuture();
            waiter = w;
            try {
                Asyncio.waitFor(w, exchange.conn.core.options.bodyReadTimeout());
            } catch (AsyncTimeoutException e) {
                exchange.bodyTimedOut();
                fail(HttpException.requestTimeout());
            } finally {
                waiter = null;
            }
        }
        byte[] c = chunks.poll();
        unread -= c.length;
        exchange.conn.updateReading();
        return c;
    }

    /** The rest of the body, whole; as {@link #read}. */
    public byte[] readAll() throws IOException {
        byte[] first = read();
        if (first == null) {
            return new byte[0];
        }
        byte[] second = read();
        if (second == null) {
            return first;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(first.length + second.length);
        out.write(first);
        out.write(second);
        for (byte[] c; (c = read()) != null; ) {
            out.write(c);
        }
        return out.toByteArray();
    }
}
