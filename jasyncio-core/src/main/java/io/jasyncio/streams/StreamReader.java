package io.jasyncio.streams;

import io.jasyncio.AsyncFuture;
import io.jasyncio.internal.LoopBinding;
import io.jasyncio.net.ReadTransport;

import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The reading half of a stream connection (asyncio's {@code StreamReader}): a buffer that a
 * protocol fills on the loop ({@link #feedData}, {@link #feedEof}, {@link #setException}) and
 * that tasks read from, waiting when it holds too little ({@link #read}, {@link #readline},
 * {@link #readExactly}, {@link #readUntil}).
 *
 * <p><b>The limit.</b> {@link #limit()} (64 KiB by default) bounds two things, as in asyncio: the
 * length of what {@link #readline} and {@link #readUntil} return (not counting the separator;
 * longer input raises {@link LimitOverrunException}), and the buffer. Once the reader holds
 * 2 × limit bytes it pauses its transport's reading ({@link ReadTransport#pauseReading}) and
 * resumes it when reads bring it down to the limit, or when a read has to wait for more. A read
 * that needs more than that ({@code readExactly(n)} with a large {@code n}) lets the buffer grow
 * to what it needs plus the limit; {@code read(-1)} takes the stream block by block, as asyncio
 * does, so its buffer keeps the bound (the bytes it gathers are its result, not the buffer). So a reader never buffers more than its
 * limit beyond what was asked: exactly, when the transport reads into the reader
 * ({@link StreamReaderProtocol} offers it a buffer of the right size), and within one received
 * chunk when a transport pushes arrays of its own choosing.
 *
 * <p><b>Threads.</b> Every method must be called on the reader's loop: the feeding methods from
 * protocol callbacks or tasks, the reading methods from a task. Only one task may wait on a
 * reader at a time (a second one gets {@link IllegalStateException}, as asyncio's
 * {@code RuntimeError}). A reader needs no loop to be made (asyncio's takes the running loop when
 * constructed and, since 3.14, fails outside one): it binds to the loop of the first read that
 * waits, as the coordination primitives do, and a read that waits on another loop later throws
 * {@link IllegalStateException} naming both (see docs/differences.md).
 *
 * <p><b>Cancellation.</b> Every reading method is a cancellation point. A cancelled read consumes
 * nothing: the bytes it was waiting to complete stay in the reader for the next read.
 *
 * <p><b>Errors.</b> After {@link #setException} (the connection failed, for example reset by the
 * peer), reads still return the bytes that arrived before the failure; the exception is thrown,
 * unchanged, by the first read that would have to wait. asyncio throws it at once and the
 * buffered bytes are lost; we keep them, because a peer that sends a reply and then resets is
 * common and the reply is valid.
 *
 * <p>A for-each over the reader, or over {@link #lines()}, reads line by line until the end of
 * the stream, as {@code async for line in reader} does.
 */
public final class StreamReader implements Iterable<byte[]> {
    /** The default limit: 64 KiB, as asyncio's. */
    public static final int DEFAULT_LIMIT = 64 * 1024;

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] NEWLINE = {'\n'};

    private final int limit;
    private final LoopBinding binding = new LoopBinding(this);

    /** The buffered bytes are {@code buf[head..tail)}; {@code buf} is {@link #EMPTY} when none. */
    private byte[] buf = EMPTY;
    private int head;
    private int tail;

    private boolean eof;
    private Exception exception;
    private ReadTransport transport;
    private boolean paused;
    private AsyncFuture<Void> waiter;
    /** How many bytes the waiting read needs in the buffer to complete; 0 when none waits. */
    private long want;

    /** A reader with the {@linkplain #DEFAULT_LIMIT default limit}. */
    public StreamReader() {
        this(DEFAULT_LIMIT);
    }

    /**
     * A reader with the given limit.
     *
     * @param limit the longest line or separated chunk, and half the buffer's bound; positive
     * @throws IllegalArgumentException if {@code limit <= 0}
     */
    public StreamReader(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** {@return the limit this reader was made with} */
    public int limit() {
        return limit;
    }

    // ------------------------------------------------------------------ the feeding side

    /**
     * Gives the reader the transport whose reading it pauses and resumes (flow control). Called by
     * the protocol once connected.
     *
     * @param transport the transport
     * @throws IllegalStateException if a transport was already set
     */
    public void setTransport(ReadTransport transport) {
        if (this.transport != null) {
            throw new IllegalStateException("transport already set");
        }
        this.transport = transport;
    }

    /** After a TLS upgrade: the new transport takes over, paused if the old one was. */
    void replaceTransport(ReadTransport newTransport) {
        this.transport = newTransport;
        if (paused && newTransport != null) {
            pauseTransport();
        }
    }

    /**
     * Appends bytes to the buffer and wakes the waiting read, if any. The array is copied.
     *
     * @param data the bytes (an empty array does nothing)
     * @throws IllegalStateException after {@link #feedEof}
     */
    public void feedData(byte[] data) {
        feedData(data, 0, data.length);
    }

    /**
     * Appends {@code len} bytes of {@code data} from {@code off}; see {@link #feedData(byte[])}.
     *
     * @param data the array
     * @param off the first byte
     * @param len how many bytes
     * @throws IllegalStateException after {@link #feedEof}
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    public void feedData(byte[] data, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        if (eof) {
            throw new IllegalStateException("feedData after feedEof");
        }
        if (len == 0) {
            return;
        }
        append(data, off, len, false);
        afterFeed();
    }

    /** Like {@link #feedData(byte[])}, but the reader may keep the array itself (it is given away). */
    void feedOwned(byte[] data, int len) {
        if (eof) {
            throw new IllegalStateException("feedData after feedEof");
        }
        if (len == 0) {
            return;
        }
        append(data, 0, len, len == data.length);
        afterFeed();
    }

    private void afterFeed() {
        wakeUp();
        if (transport != null && !paused && size() >= cap()) {
            pauseTransport();
        }
    }

    /** Marks the end of the stream and wakes the waiting read. Idempotent. */
    public void feedEof() {
        eof = true;
        wakeUp();
    }

    /**
     * Records that the stream failed: the waiting read (and every later read that would have to
     * wait) throws {@code exc}, unchanged. Bytes already buffered stay readable.
     *
     * @param exc the failure
     */
    public void setException(Exception exc) {
        this.exception = java.util.Objects.requireNonNull(exc, "exc");
        AsyncFuture<Void> w = waiter;
        if (w != null) {
            waiter = null;
            if (!w.isDone()) {
                w.setException(exc);
            }
        }
    }

    /** {@return the failure recorded by {@link #setException}, or {@code null}} */
    public Exception exception() {
        return exception;
    }

    /** {@return true if the end of the stream was fed and every byte has been read} */
    public boolean atEof() {
        return eof && head == tail;
    }

    /** {@return how many bytes are buffered, read from the connection and not yet by the application} */
    public int buffered() {
        return tail - head;
    }

    /** True while the reader holds its transport's reading paused. */
    boolean isPausing() {
        return paused;
    }

    // ------------------------------------------------------------------ the reading side

    /**
     * Reads up to {@code n} bytes: waits until at least one byte is buffered (or the stream
     * ended), then returns what is there, at most {@code n} bytes. With {@code n = -1}, reads
     * until the end of the stream and returns everything. Mirrors {@code read(n)}; the result is
     * not bounded by the limit.
     *
     * <p>A cancellation point: if cancelled, nothing is consumed (with {@code n = -1}, what arrived
     * so far stays buffered).
     *
     * @param n how many bytes at most; 0 returns an empty array at once; -1 (any negative) for all
     * @return the bytes; empty at the end of the stream
     * @throws IOException the stream's failure ({@link #setException}), unchanged, if it must wait
     */
    public byte[] read(int n) throws IOException {
        if (n == 0) {
            return EMPTY;
        }
        if (n < 0) {
            return readToEof();
        }
        if (head == tail && !eof) {
            waitForData("read", 0);
        }
        return take(Math.min(n, size()));
    }

    /**
     * {@code read(-1)}: block by block, {@link #limit()} bytes at a time, as asyncio does, so the
     * buffer stays under its bound and the transport is paused while it is over it (a reader that
     * let its buffer grow to the whole stream would never push back). If cancelled (or failed),
     * the blocks taken so far go back to the front of the buffer: nothing is consumed.
     */
    private byte[] readToEof() throws IOException {
        java.util.ArrayList<byte[]> blocks = new java.util.ArrayList<>();
        long total = 0;
        try {
            while (true) {
                byte[] b = read(limit);
                if (b.length == 0) {
                    break;
                }
                blocks.add(b);
                total += b.length;
                if (total > Integer.MAX_VALUE - 16) {
                    // An ordinary failure of this read, not an OutOfMemoryError: that would stop the whole loop.
                    throw new LimitOverrunException("read(-1): the stream is longer than a byte array can hold (2 GiB);"
                            + " read it in parts", 0);
                }
            }
        } catch (Throwable e) {
            unread(join(blocks, (int) total));
            throw e;
        }
        return join(blocks, (int) total);
    }

    private static byte[] join(java.util.List<byte[]> blocks, int total) {
        if (blocks.size() == 1) {
            return blocks.get(0);
        }
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] b : blocks) {
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }

    /** Puts {@code data} back in front of the buffered bytes. */
    private void unread(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int size = size();
        byte[] nb = new byte[data.length + size];
        System.arraycopy(data, 0, nb, 0, data.length);
        System.arraycopy(buf, head, nb, data.length, size);
        buf = nb;
        head = 0;
        tail = nb.length;
    }

    /**
     * Reads one line, up to and including {@code '\n'}. At the end of the stream, returns what is
     * left without a newline, or an empty array if nothing is. Mirrors {@code readline()}.
     *
     * <p>If the line is longer than the limit (not counting the newline), it is <b>discarded</b>,
     * as asyncio does: if its newline is buffered the reader drops the line with it, else it drops
     * the whole buffer (the rest of the line then arrives as if it were the next line). Then
     * {@link LimitOverrunException} is thrown. asyncio throws {@code ValueError} here; we throw the
     * same exception as {@link #readUntil} so that one catch clause covers both. To keep an
     * oversize line's bytes, use {@code readUntil("\n".getBytes())}.
     *
     * <p>A cancellation point: if cancelled, nothing is consumed.
     *
     * @return the line
     * @throws LimitOverrunException if the line is too long (after dropping it)
     * @throws IOException the stream's failure, unchanged, if it must wait
     */
    public byte[] readline() throws IOException {
        try {
            return readUntil(NEWLINE);
        } catch (IncompleteReadException e) {
            return e.partial();
        } catch (LimitOverrunException e) {
            int c = e.consumed();
            if (c < size() && buf[head + c] == '\n') {
                head += c + 1;
            } else {
                head = tail;
            }
            compactIfEmpty();
            maybeResume();
            throw new LimitOverrunException(e.getMessage() + "; the line was discarded", c);
        }
    }

    /**
     * Reads exactly {@code n} bytes, waiting as long as needed. Mirrors {@code readexactly(n)};
     * not bounded by the limit.
     *
     * <p>A cancellation point: if cancelled, nothing is consumed.
     *
     * @param n how many bytes; 0 returns an empty array at once
     * @return the bytes
     * @throws IncompleteReadException if the stream ends first; it carries the bytes that did
     *     arrive, which the reader no longer holds
     * @throws IllegalArgumentException if {@code n < 0}
     * @throws IOException the stream's failure, unchanged, if it must wait
     */
    public byte[] readExactly(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("readExactly size can not be less than zero: " + n);
        }
        if (n == 0) {
            return EMPTY;
        }
        while (size() < n) {
            if (eof) {
                throw new IncompleteReadException(take(size()), n);
            }
            waitForData("readExactly", n);
        }
        return take(n);
    }

    /**
     * Reads up to and including {@code separator}. Mirrors {@code readuntil(separator)}.
     *
     * <p>A cancellation point: if cancelled, nothing is consumed.
     *
     * @param separator the bytes that end the chunk; at least one
     * @return the chunk, separator included
     * @throws LimitOverrunException if the chunk (without separator) would be longer than the
     *     limit; the data stays in the reader
     * @throws IncompleteReadException if the stream ends first; it carries what was buffered
     *     (possibly part of a separator), which the reader no longer holds
     * @throws IOException the stream's failure, unchanged, if it must wait
     */
    public byte[] readUntil(byte[] separator) throws IOException {
        return readUntil(new byte[][] {separator});
    }

    /**
     * Reads up to and including the first of {@code separators} to appear; when several could end
     * the chunk, the shortest chunk wins, and among separators ending at the same place the
     * shortest separator (asyncio 3.13's {@code readuntil} with a tuple). For the limit, the
     * shortest separator counts as the one that matched.
     *
     * <p>A cancellation point: if cancelled, nothing is consumed.
     *
     * @param separators one or more separators, each at least one byte
     * @return the chunk, separator included
     * @throws IllegalArgumentException if there is no separator or one is empty
     * @throws LimitOverrunException if the chunk would be longer than the limit; the data stays
     * @throws IncompleteReadException if the stream ends first
     * @throws IOException the stream's failure, unchanged, if it must wait
     */
    public byte[] readUntil(byte[]... separators) throws IOException {
        if (separators.length == 0) {
            throw new IllegalArgumentException("Separator should contain at least one element");
        }
        byte[][] seps = separators.clone();
        // Shortest first: among matches ending at the same place, the shortest separator wins.
        Arrays.sort(seps, (a, b) -> Integer.compare(a.length, b.length));
        int minLen = seps[0].length;
        int maxLen = seps[seps.length - 1].length;
        if (minLen == 0) {
            throw new IllegalArgumentException("Separator should be at least one-byte string");
        }
        // offset: how many leading buffered bytes are known to hold no separator.
        int offset = 0;
        int matchStart;
        int matchEnd;
        while (true) {
            int size = size();
            if (size - offset >= minLen) {
                matchStart = -1;
                matchEnd = -1;
                for (byte[] sep : seps) {
                    int i = indexOf(sep, offset);
                    if (i >= 0) {
                        int end = i + sep.length;
                        if (matchEnd < 0 || end < matchEnd) {
                            matchEnd = end;
                            matchStart = i;
                        }
                    }
                }
                if (matchEnd >= 0) {
                    break;
                }
                offset = Math.max(0, size + 1 - maxLen);
                if (offset > limit) {
                    throw new LimitOverrunException("Separator is not found, and chunk exceed the limit", offset);
                }
            }
            // A complete chunk can be buffered together with the EOF: look before giving up.
            if (eof) {
                throw new IncompleteReadException(take(size()), -1);
            }
            waitForData("readUntil", maxLen);
        }
        if (matchStart > limit) {
            throw new LimitOverrunException("Separator is found, but chunk is longer than limit", matchStart);
        }
        return take(matchEnd);
    }

    /**
     * The lines of the stream, read one by one by a for-each inside a task: {@code hasNext()}
     * calls {@link #readline()} and ends at the end of the stream. An {@link IOException} (a
     * failure, {@link LimitOverrunException}) is thrown unchanged by {@code hasNext()}; Java does
     * not see it declared, so catch it as {@code Exception} around the loop if the loop's body
     * throws no {@code IOException} itself.
     *
     * @return this reader as an {@code Iterable} of lines
     */
    public Iterable<byte[]> lines() {
        return this;
    }

    /** Iterates over the lines: see {@link #lines()}. */
    @Override
    public Iterator<byte[]> iterator() {
        return new Iterator<>() {
            private byte[] next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (done) {
                    return false;
                }
                byte[] line;
                try {
                    line = readline();
                } catch (IOException e) {
                    throw StreamReader.<RuntimeException>sneaky(e);
                }
                if (line.length == 0) {
                    done = true;
                    return false;
                }
                next = line;
                return true;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] l = next;
                next = null;
                return l;
            }
        };
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("StreamReader");
        if (head != tail) {
            sb.append(' ').append(size()).append(" bytes");
        }
        if (eof) {
            sb.append(" eof");
        }
        if (limit != DEFAULT_LIMIT) {
            sb.append(" limit=").append(limit);
        }
        if (waiter != null) {
            sb.append(" waiting");
        }
        if (exception != null) {
            sb.append(" exception=").append(exception);
        }
        if (paused) {
            sb.append(" paused");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ internals

    private int size() {
        return tail - head;
    }

    /**
     * The most this reader lets its buffer hold before it pauses the transport: twice the limit,
     * or the limit beyond what the waiting read needs.
     */
    long cap() {
        return Math.max(2L * limit, want + limit);
    }

    /** How many more bytes the reader takes before it pauses its transport (at least 0). */
    int room() {
        long r = cap() - size();
        return (int) Math.max(0, Math.min(r, Integer.MAX_VALUE - 16));
    }

    /**
     * Waits until data or EOF is fed. Resumes a paused transport first: a read that waits while
     * reading is paused would wait forever (as in asyncio, this is what lets
     * {@code readExactly(n)} with {@code n} above the limit complete).
     */
    private void waitForData(String what, long need) throws IOException {
        if (exception != null) {
            throw StreamReader.<IOException>sneaky(exception);
        }
        if (waiter != null) {
            throw new IllegalStateException(what + "() called while another task is already waiting for incoming data");
        }
        AsyncFuture<Void> w = binding.loop().createFuture();
        w.describedAs("StreamReader." + what);
        waiter = w;
        want = need;
        if (paused && size() < cap()) {
            resumeTransport();
        }
        try {
            w.await();
        } finally {
            if (waiter == w) {
                waiter = null;
            }
            want = 0;
        }
    }

    private void wakeUp() {
        AsyncFuture<Void> w = waiter;
        if (w != null) {
            waiter = null;
            if (!w.isDone()) {
                w.setResult(null);
            }
        }
    }

    private void pauseTransport() {
        try {
            transport.pauseReading();
            paused = true;
        } catch (UnsupportedOperationException e) {
            // This transport cannot pause (asyncio: NotImplementedError): buffer everything.
            transport = null;
        }
    }

    private void resumeTransport() {
        paused = false;
        if (transport != null) {
            transport.resumeReading();
        }
    }

    private void maybeResume() {
        if (paused && size() <= limit) {
            resumeTransport();
        }
    }

    private void append(byte[] data, int off, int len, boolean adopt) {
        int size = size();
        if (size == 0) {
            if (adopt) {
                buf = data;
                head = 0;
                tail = len;
                return;
            }
            if (buf.length < len) {
                buf = new byte[len];
            }
            System.arraycopy(data, off, buf, 0, len);
            head = 0;
            tail = len;
            return;
        }
        if (buf.length - tail < len) {
            int needed = size + len;
            if (needed < 0) {
                // Fails this connection (the transport closes it), not the loop, as an OutOfMemoryError would.
                throw new IllegalStateException("StreamReader buffer would exceed 2 GiB");
            }
            if (needed <= buf.length && head >= size) {
                System.arraycopy(buf, head, buf, 0, size);
            } else {
                int cap = (int) Math.min(Integer.MAX_VALUE - 16, Math.max((long) needed, 2L * size));
                byte[] nb = new byte[Math.max(cap, needed)];
                System.arraycopy(buf, head, nb, 0, size);
                buf = nb;
            }
            head = 0;
            tail = size;
        }
        System.arraycopy(data, off, buf, tail, len);
        tail += len;
    }

    /** Removes and returns the first {@code n} buffered bytes, then resumes reading if it may. */
    private byte[] take(int n) {
        byte[] out;
        if (n == 0) {
            out = EMPTY;
        } else if (head == 0 && n == buf.length) {
            out = buf; // the whole array is the result: hand it over instead of copying
            buf = EMPTY;
            head = 0;
            tail = 0;
        } else {
            out = Arrays.copyOfRange(buf, head, head + n);
            head += n;
            compactIfEmpty();
        }
        maybeResume();
        return out;
    }

    /** An empty reader keeps no array, so an idle connection costs no buffer. */
    private void compactIfEmpty() {
        if (head == tail) {
            buf = EMPTY;
            head = 0;
            tail = 0;
        }
    }

    private int indexOf(byte[] sep, int from) {
        byte first = sep[0];
        int last = tail - sep.length;
        outer:
        for (int i = head + from; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int j = 1; j < sep.length; j++) {
                if (buf[i + j] != sep[j]) {
                    continue outer;
                }
            }
            return i - head;
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
