package io.jasyncio.http.server;

import io.jasyncio.CancelledError;
import io.jasyncio.Task;
import io.jasyncio.http.HttpVersion;
import io.jasyncio.http.Method;
import io.jasyncio.http.RequestHead;
import java.io.IOException;
import java.util.logging.Level;

/** One request and its response: the handler's task, the body stream, the framing of the answer. */
final class Exchange {
    final Connection conn;
    final RequestHead head;
    final boolean parserKeepAlive;
    final long contentLength;
    final BodyStream body;
    final boolean isHead;
    Request request;
    Task<Void> task;
    /** See {@link #requestId()}; null until asked for. */
    private String requestId;
    boolean requestDone;
    boolean forceClose;
    private boolean continuePending;
    private boolean headSent;
    private boolean keepAlive;
    private int framing; // F_*
    private long written;
    private long declared = -1;
    /** A compressing stream response's compressor (null otherwise). */
    private GzipPieces gzip;
    private static final int F_NONE = 0;
    private static final int F_LENGTH = 1;
    private static final int F_CHUNKED = 2;
    private static final int F_UNTIL_CLOSE = 3;

    Exchange(Connection conn, RequestHead head, boolean keepAlive, boolean expectContinue, long contentLength) {
        this.conn = conn;
        this.head = head;
        this.parserKeepAlive = keepAlive;
        this.contentLength = contentLength;
        this.isHead = head.method().equals(Method.HEAD);
        this.continuePending = expectContinue;
        this.body = new BodyStream(this, contentLength == 0);
        this.requestDone = false;
    }

    /** The request's ID (the client's valid {@code X-Request-Id}, else a generated one); see {@link RequestIds}. */
    String requestId() {
        if (requestId == null) {
            requestId = RequestIds.of(head.headers().get(RequestIds.HEADER));
        }
        return requestId;
    }

    /** The ID field, unless the application set its own. */
    private void requestIdField(HeadWriter w, StreamResponse r) {
        if (!r.headers.contains(RequestIds.HEADER)) {
            w.field(RequestIds.HEADER, requestId());
        }
    }

    void start() {
        if (continuePending && conn.core.options.sendContinueEarly()) {
            sendContinue();
        }
        conn.core.inFlightCount++;
        task = conn.core.loop.createTask(this::run);
    }

    void requestEnded() {
        requestDone = true;
        body.end();
    }

    void clientGone() {
        body.fail(new IOException("the client disconnected"));
        if (conn.core.options.cancelHandlerOnDisconnect() && task != null && !task.isDone()) {
            task.cancel("the client disconnected");
        }
    }

    void bodyTimedOut() {
        forceClose = true;
        conn.core.counters.bodyTimeouts++;
    }

    void beforeBodyRead() {
        if (continuePending) {
            sendContinue();
        }
    }

    private void sendContinue() {
        continuePending = false;
        if (!requestDone && !conn.closed) {
            conn.transport.write(HeadWriter.CONTINUE);
        }
    }

    // ---- the handler's task

    private void run() {
        boolean keep = false;
        try {
            StreamResponse resp;
            try {
                resp = request.match.target().chain.handle(request);
                if (resp == null) {
                    throw new IllegalStateException("the handler returned no response");
                }
            } catch (HttpException e) {
                resp = errorResponse(e);
            } catch (CancelledError e) {
                throw e;
            } catch (Throwable t) {
                if (headSent) {
                    throw t;
                }
                if (!conn.lost) {
                    HttpServer.LOG.log(Level.SEVERE, "handler failed: " + request + " (request " + requestId() + ")", t);
                }
                resp = Response.text(500, "Internal Server Error");
            }
            if (resp instanceof Response r && !headSent) {
                try {
                    sendWhole(r);
                } catch (IllegalArgumentException bad) {
                    // a header the application set cannot be sent (a control character, a bad name): nothing was written
                    headSent = false;
                    HttpServer.LOG.log(Level.SEVERE, "unsendable response to " + request, bad);
                    sendWhole(Response.text(500, "Internal Server Error"));
                }
            } else {
                if (resp.exchange == null) {
                    prepareStream(resp);
                } else if (resp.exchange != this) {
                    throw new IllegalStateException("the response was prepared for another request");
                }
                if (!resp.eof) {
                    resp.eof = true;
                    writeEnd();
                }
            }
            keep = keepAlive;
        } catch (CancelledError e) {
            conn.abort();
            throw e;
        } catch (IOException e) {
            conn.abort(); // the client has gone: nothing more to say
        } catch (Throwable t) {
            if (!conn.lost) {
                HttpServer.LOG.log(Level.SEVERE, "handler failed after its response began: " + request
                        + " (request " + requestId() + ")", t);
            }
            conn.abort();
        } finally {
            conn.core.inFlightCount--;
            if (conn.lost) {
                conn.core.orphans.remove(this);
            }
            if (!conn.lost) {
                conn.exchangeFinished(this, keep);
            } else {
                conn.current = null;
            }
        }
    }

    private static Response errorResponse(HttpException e) {
        Response r = Response.text(e.status(), e.text());
        e.headers().forEach(r.headers::add);
        return r;
    }

    private boolean decideKeepAlive(StreamResponse r) {
        return parserKeepAlive && (requestDone || canDrain()) && !forceClose && !conn.core.shuttingDown && !conn.closed
                && !r.headers.containsToken("Connection", "close");
    }

    /**
     * Whether a response sent before the body was read to its end may keep the connection: the
     * body has a {@code Content-Length} (not chunked), its {@code 100 Continue} (if asked for) was
     * sent, and what is buffered unread plus what is still to come fits in {@code bodyBufferSize}
     * (so reading and dropping it never pauses). Otherwise the response says {@code Connection: close}.
     */
    private boolean canDrain() {
        return contentLength >= 0 && !continuePending && !body.failed()
                && conn.canDrain(body.unread(), contentLength - body.received());
    }

    private static boolean noContent(int status) {
        return status < 200 || status == 204 || status == 304;
    }

    private void connectionField(HeadWriter w) {
        if (!keepAlive) {
            w.put(HeadWriter.CONNECTION_CLOSE);
        } else if (head.version() == HttpVersion.HTTP_1_0) {
            w.put(HeadWriter.CONNECTION_KEEP_ALIVE);
        }
    }

    /** Sends a whole response in one write. */
    void sendWhole(Response r) {
        if (headSent) {
            throw new IllegalStateException("a response was already sent for this request");
        }
        headSent = true;
        keepAlive = decideKeepAlive(r);
        HeadWriter w = conn.core.head.start(r.status, r.reason).contentType(r.contentType).fields(r.headers);
        requestIdField(w, r);
        byte[] b = r.body;
        boolean none = noContent(r.status);
        if (r.compress && !none && b.length > 0 && acceptsGzip()) {
            b = gzip(b);
            w.field("Content-Encoding", "gzip").field("Vary", "Accept-Encoding");
        }
        if (!none) {
            w.contentLength(b.length);
        }
        connectionField(w);
        int n = none || isHead ? 0 : b.length;
        conn.transport.write(w.finish(b, 0, n));
        conn.core.counters.requests++;
        if (conn.core.accessLog != null) {
            conn.core.accessLog.log(conn.peer(), head, r.status, n, requestId());
        }
    }

    private boolean acceptsGzip() {
        for (String v : head.headers().getAll("Accept-Encoding")) {
            for (String item : v.split(",")) {
                String[] parts = item.split(";");
                if (parts[0].strip().equalsIgnoreCase("gzip")) {
                    for (int i = 1; i < parts.length; i++) {
                        String q = parts[i].strip();
                        if (q.startsWith("q=") && q.substring(2).strip().matches("0(\\.0*)?")) {
                            return false;
                        }
                    }
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] gzip(byte[] b) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(b.length / 2 + 32);
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
            z.write(b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Sends a stream response's head and chooses its framing. */
    void prepareStream(StreamResponse r) {
        if (headSent) {
            throw new IllegalStateException("a response was already sent for this request");
        }
        if (conn.lost) {
            throw new IllegalStateException("the client disconnected");
        }
        String cl = r.headers.get("Content-Length");
        if (cl != null && r.contentLength < 0) {
            try {
                r.contentLength = Long.parseLong(cl.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad Content-Length header: " + cl);
            }
        }
        headSent = true;
        keepAlive = decideKeepAlive(r);
        boolean gz = r.compress && !noContent(r.status) && acceptsGzip();
        if (gz) {
            r.headers.remove("Content-Length");
            r.contentLength = -1; // the compressed length is unknown
        }
        HeadWriter w = conn.core.head.start(r.status, r.reason).contentType(r.contentType).fields(r.headers);
        requestIdField(w, r);
        if (gz) {
            w.field("Content-Encoding", "gzip").field("Vary", "Accept-Encoding");
        }
        if (noContent(r.status)) {
            framing = F_NONE;
        } else if (r.contentLength >= 0) {
            w.contentLength(r.contentLength);
            declared = r.contentLength;
            framing = isHead ? F_NONE : F_LENGTH;
        } else if (isHead) {
            framing = F_NONE;
        } else if (head.version() == HttpVersion.HTTP_1_1) {
            w.put(HeadWriter.CHUNKED);
            framing = F_CHUNKED;
        } else {
            framing = F_UNTIL_CLOSE;
            keepAlive = false;
        }
        connectionField(w);
        conn.transport.write(w.finish(null, 0, 0));
        if (gz && framing != F_NONE) {
            gzip = new GzipPieces();
        }
        r.exchange = this;
        conn.core.counters.requests++;
        if (conn.core.accessLog != null) {
            conn.core.accessLog.log(conn.peer(), head, r.status, r.contentLength, requestId());
        }
    }

    void writeBody(byte[] data, int off, int len) throws IOException {
        if (gzip != null && len > 0) {
            if (conn.lost) {
                throw new IOException("the client disconnected");
            }
            byte[] c = gzip.write(data, off, len);
            writeFramed(c, 0, c.length);
        } else {
            writeFramed(data, off, len);
        }
    }

    private void writeFramed(byte[] data, int off, int len) throws IOException {
        if (conn.lost) {
            throw new IOException("the client disconnected");
        }
        if (len == 0 || framing == F_NONE) {
            return;
        }
        if (framing == F_LENGTH && written + len > declared) {
            throw new IllegalStateException("more content than the declared Content-Length " + declared);
        }
        written += len;
        if (framing == F_CHUNKED) {
            String hex = Integer.toHexString(len);
            byte[] out = new byte[hex.length() + 2 + len + 2];
            for (int i = 0; i < hex.length(); i++) {
                out[i] = (byte) hex.charAt(i);
            }
            int p = hex.length();
            out[p++] = '\r';
            out[p++] = '\n';
            System.arraycopy(data, off, out, p, len);
            p += len;
            out[p++] = '\r';
            out[p] = '\n';
            conn.transport.write(out);
        } else {
            conn.transport.write(data, off, len);
        }
    }

    void writeEnd() throws IOException {
        if (conn.lost) {
            throw new IOException("the client disconnected");
        }
        if (gzip != null) {
            byte[] tail = gzip.finish();
            gzip = null;
            writeFramed(tail, 0, tail.length);
        }
        if (framing == F_CHUNKED) {
            conn.transport.write(HeadWriter.LAST_CHUNK);
        } else if (framing == F_LENGTH && written < declared) {
            keepAlive = false; // the framing is broken: the client must see the connection end
        } else if (framing == F_UNTIL_CLOSE) {
            keepAlive = false;
        }
    }

    void drain() throws IOException {
        conn.drain();
    }

    @Override
    public String toString() {
        return head.method() + " " + head.target();
    }
}
