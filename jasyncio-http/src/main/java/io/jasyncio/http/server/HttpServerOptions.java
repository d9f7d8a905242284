package io.jasyncio.http.server;

import io.jasyncio.net.ServerOptions;
import java.util.Objects;

/**
 * Limits, timeouts and switches of an {@link HttpServer}; {@link #DEFAULTS} or
 * {@link #builder()}. Times are seconds on the loop's clock (so the test kit's virtual time
 * drives them). See docs/http.md for what each guards against.
 *
 * @param maxBodySize              largest request body, unless a route sets its own (1 MiB): 413
 * @param bodyBufferSize           unread body bytes buffered before the connection stops reading (64 KiB)
 * @param pipelineBufferSize       bytes of pipelined requests buffered while one is answered before it stops reading (64 KiB)
 * @param headerReadTimeout        from a connection's start (or its first byte after an idle wait) to a complete head (10 s): 408 and close
 * @param keepAliveTimeout         an idle keep-alive connection is closed after this long (15 s)
 * @param bodyReadTimeout          a body read that gets no bytes for this long fails with 408 (30 s)
 * @param maxConnections           connections open at once; one more is answered 503 and closed (10,000)
 * @param cancelHandlerOnDisconnect whether a handler is cancelled when its client disconnects (false)
 * @param sendContinueEarly        whether {@code 100 Continue} is sent as soon as the head is read, rather than at the body's first read (false)
 * @param maxStartLineLength       request line limit (8 KiB): 414
 * @param maxHeaderLineLength      header line limit (8 KiB): 431
 * @param maxHeaderCount           header count limit (100): 431
 * @param maxHeadSize              whole head limit (64 KiB): 431
 * @param serverOptions            the listening socket's options (backlog, SO_REUSEPORT, TLS)
 * @param accessLog                whether each response is logged in the Common Log Format to the logger
 *                                 {@code io.jasyncio.http.access}, by a background thread (false)
 */
public record HttpServerOptions(long maxBodySize, int bodyBufferSize, int pipelineBufferSize,
                                double headerReadTimeout, double keepAliveTimeout, double bodyReadTimeout,
                                int maxConnections, boolean cancelHandlerOnDisconnect, boolean sendContinueEarly,
                                int maxStartLineLength, int maxHeaderLineLength, int maxHeaderCount, int maxHeadSize,
                                ServerOptions serverOptions, boolean accessLog) {
    /** The defaults above. */
    public static final HttpServerOptions DEFAULTS = new HttpServerOptions(1 << 20, 64 * 1024, 64 * 1024,
            10, 15, 30, 10_000, false, false, 8192, 8192, 100, 65536, ServerOptions.DEFAULTS, false);

    /** Checks the values. */
    public HttpServerOptions {
        if (maxBodySize < 0 || bodyBufferSize < 1 || pipelineBufferSize < 1 || maxConnections < 1) {
            throw new IllegalArgumentException("sizes and counts must be positive");
        }
        if (!(headerReadTimeout > 0) || !(keepAliveTimeout > 0) || !(bodyReadTimeout > 0)) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        Objects.requireNonNull(serverOptions, "serverOptions");
    }

    /** A builder starting from {@link #DEFAULTS}. */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link HttpServerOptions}; each setter returns the builder. */
    public static final class Builder {
        private long maxBodySize;
        private int bodyBufferSize;
        private int pipelineBufferSize;
        private double headerReadTimeout;
        private double keepAliveTimeout;
        private double bodyReadTimeout;
        private int maxConnections;
        private boolean cancelHandlerOnDisconnect;
        private boolean sendContinueEarly;
        private int maxStartLineLength;
        private int maxHeaderLineLength;
        private int maxHeaderCount;
        private int maxHeadSize;
        private ServerOptions serverOptions;
        private boolean accessLog;

        private Builder(HttpServerOptions o) {
            maxBodySize = o.maxBodySize;
            bodyBufferSize = o.bodyBufferSize;
            pipelineBufferSize = o.pipelineBufferSize;
            headerReadTimeout = o.headerReadTimeout;
            keepAliveTimeout = o.keepAliveTimeout;
            bodyReadTimeout = o.bodyReadTimeout;
            maxConnections = o.maxConnections;
            cancelHandlerOnDisconnect = o.cancelHandlerOnDisconnect;
            sendContinueEarly = o.sendContinueEarly;
            maxStartLineLength = o.maxStartLineLength;
            maxHeaderLineLength = o.maxHeaderLineLength;
            maxHeaderCount = o.maxHeaderCount;
            maxHeadSize = o.maxHeadSize;
            serverOptions = o.serverOptions;
            accessLog = o.accessLog;
        }

        /** @see HttpServerOptions#maxBodySize() */
        public Builder maxBodySize(long v) { maxBodySize = v; return this; }
        /** @see HttpServerOptions#bodyBufferSize() */
        public Builder bodyBufferSize(int v) { bodyBufferSize = v; return this; }
        /** @see HttpServerOptions#pipelineBufferSize() */
        public Builder pipelineBufferSize(int v) { pipelineBufferSize = v; return this; }
        /** @see HttpServerOptions#headerReadTimeout() */
        public Builder headerReadTimeout(double v) { headerReadTimeout = v; return this; }
        /** @see HttpServerOptions#keepAliveTimeout() */
        public Builder keepAliveTimeout(double v) { keepAliveTimeout = v; return this; }
        /** @see HttpServerOptions#bodyReadTimeout() */
        public Builder bodyReadTimeout(double v) { bodyReadTimeout = v; return this; }
        /** @see HttpServerOptions#maxConnections() */
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        /** @see HttpServerOptions#cancelHandlerOnDisconnect() */
        public Builder cancelHandlerOnDisconnect(boolean v) { cancelHandlerOnDisconnect = v; return this; }
        /** @see HttpServerOptions#sendContinueEarly() */
        public Builder sendContinueEarly(boolean v) { sendContinueEarly = v; return this; }
        /** @see HttpServerOptions#maxStartLineLength() */
        public Builder maxStartLineLength(int v) { maxStartLineLength = v; return this; }
        /** @see HttpServerOptions#maxHeaderLineLength() */
        public Builder maxHeaderLineLength(int v) { maxHeaderLineLength = v; return this; }
        /** @see HttpServerOptions#maxHeaderCount() */
        public Builder maxHeaderCount(int v) { maxHeaderCount = v; return this; }
        /** @see HttpServerOptions#maxHeadSize() */
        public Builder maxHeadSize(int v) { maxHeadSize = v; return this; }
        /** @see HttpServerOptions#serverOptions() */
        public Builder serverOptions(ServerOptions v) { serverOptions = v; return this; }

        /** @see HttpServerOptions#accessLog() */
        public Builder accessLog(boolean v) { accessLog = v; return this; }

        /** The options; checks them. */
        public HttpServerOptions build() {
            return new HttpServerOptions(maxBodySize, bodyBufferSize, pipelineBufferSize, headerReadTimeout,
                    keepAliveTimeout, bodyReadTimeout, maxConnections, cancelHandlerOnDisconnect, sendContinueEarly,
                    maxStartLineLength, maxHeaderLineLength, maxHeaderCount, maxHeadSize, serverOptions, accessLog);
        }
    }
}
