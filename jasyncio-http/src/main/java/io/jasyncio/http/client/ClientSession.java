package io.jasyncio.http.client;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.http.Headers;
import io.jasyncio.http.HttpVersion;
import io.jasyncio.http.RequestHead;
import io.jasyncio.http.internal.client.Exchange;
import io.jasyncio.http.internal.client.Leaks;
import io.jasyncio.http.internal.client.Pool;
import io.jasyncio.http.internal.client.Target;
import io.jasyncio.http.internal.h1.H1Serializer;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP/1.1 client session: a connection pool, default headers, a base URL and the limits
 * shared by its requests (aiohttp's {@code ClientSession} with its {@code TCPConnector}). Made on
 * a loop's task and used by that loop's tasks; close it when done (try-with-resources):
 * <pre>{@code
 * try (ClientSession session = ClientSession.builder().baseUrl("http://127.0.0.1:8080").build()) {
 *     try (ClientResponse r = session.get("/hello")) {
 *         String body = r.text();
 *     }
 * }
 * }</pre>
 *
 * <p>Requests are plain calls of the requesting task (no task is started per request): the
 * request methods return once the response's head has arrived, and the body is read through the
 * {@link ClientResponse}. Redirects are followed (10 at most by default) with {@code Authorization}
 * dropped when the origin changes; an idempotent request that meets a kept-alive connection the
 * server had closed is retried once on a new connection. Every request method is a cancellation
 * point: if cancelled, its connection is closed (never returned to the pool half-used) or its
 * place in the pool's queue given up.
 *
 * <p>Not thread-safe: call on the session's loop only.
 */
public final class ClientSession implements AutoCloseable {
    private final EventLoop loop;
    private final Pool pool;
    private final URI baseUrl;
    private final Headers defaultHeaders;
    private final ClientTimeout timeout;
    private final boolean raiseForStatus;
    private final int maxRedirects;
    private final long maxBodySize;
    private final boolean autoDecompress;
    /** Encoded heads of requests without headers or body of their own, by method and URL. */
    private final Map<String, byte[]> headCache = new HashMap<>();
    /** Encoded GET heads by target (the targets of {@link #targetCache}, so by identity). */
    private final Map<Target, byte[]> getHeads = new java.util.IdentityHashMap<>();
    /** Parsed targets of the URLs requests were given (as given, relative ones included). */
    private final Map<String, Target> targetCache = new HashMap<>();
    private final Leaks leaks;
    private final CookieJar cookies;
    private final RetryPolicy retry;
    private final ClientTrace trace;
    private final RateLimiter rateLimiter;
    private boolean closed;

    private ClientSession(Builder b) {
        this.loop = Asyncio.getRunningLoop();
        this.leaks = Leaks.track(loop, this);
        this.cookies = b.cookieJar;
        this.retry = b.retry;
        this.trace = b.trace;
        this.rateLimiter = b.ratePerHost > 0 ? new RateLimiter(loop, b.ratePerHost, b.rateBurst) : null;
        this.pool = new Pool(loop, b.connector);
        this.baseUrl = b.baseUrl;
        this.defaultHeaders = b.headers.copy();
        if (!defaultHeaders.contains("User-Agent")) {
            defaultHeaders.add("User-Agent", "jasyncio-http/0.1");
        }
        if (!defaultHeaders.contains("Accept")) {
            defaultHeaders.add("Accept", "*/*");
        }
        if (b.autoDecompress && !defaultHeaders.contains("Accept-Encoding")) {
            defaultHeaders.add("Accept-Encoding", "gzip, deflate");
        }
        this.timeout = b.timeout;
        this.raiseForStatus = b.raiseForStatus;
        this.maxRedirects = b.maxRedirects;
        this.maxBodySize = b.maxBodySize;
        this.autoDecompress = b.autoDecompress;
    }

    /** A session with every default, for the running loop. */
    public static ClientSession create() {
        return builder().build();
    }

    /** A builder of a session. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code GET url}; see {@link #send(ClientRequest)}. A cancellation point. */
    public ClientResponse get(String url) throws IOException {
        return send(new ClientRequest(this, "GET", url));
    }

    /** {@code HEAD url}: a response without a body. A cancellation point. */
    public ClientResponse head(String url) throws IOException {
        return send(new ClientRequest(this, "HEAD", url));
    }

    /** {@code DELETE url}. A cancellation point. */
    public ClientResponse delete(String url) throws IOException {
        return send(new ClientRequest(this, "DELETE", url));
    }

    /** {@code POST url} with a body. A cancellation point. */
    public ClientResponse post(String url, RequestBody body) throws IOException {
        return send(new ClientRequest(this, "POST", url).body(body));
    }

    /** {@code PUT url} with a body. A cancellation point. */
    public ClientResponse put(String url, RequestBody body) throws IOException {
        return send(new ClientRequest(this, "PUT", url).body(body));
    }

    /** {@code PATCH url} with a body. A cancellation point. */
    public ClientResponse patch(String url, RequestBody body) throws IOException {
        return send(new ClientRequest(this, "PATCH", url).body(body));
    }

    /** A request to prepare (query, headers, body, options) and {@link ClientRequest#send()}. */
    public ClientRequest request(String method, String url) {
        return new ClientRequest(this, method, url);
    }

    /**
     * Sends a request and returns its response once the head has arrived (after following
     * redirects). The caller reads the body and closes the response.
     *
     * <p>A cancellation point at every wait (pool, connect, TLS, sending, the head): if cancelled,
     * the request's connection is closed, or its slot or place in the pool's queue given back.
     *
     * @throws ClientConnectionException if no connection could be opened ({@link ClientSslException} for TLS)
     * @throws ServerDisconnectedException if the server closed the connection before answering
     * @throws ClientPayloadException if the response is not valid HTTP
     * @throws TooManyRedirectsException past the redirect limit
     * @throws ClientResponseException for a status of 400 or more, when raising for status
     * @throws ClientTimeoutException (unchecked) when a limit of {@link ClientTimeout} fires
     * @throws IllegalArgumentException for a URL that is not http or https
     * @throws IllegalStateException if the session is closed
     */
    public ClientResponse send(ClientRequest req) throws IOException {
        if (closed) {
            throw new IllegalStateException("the ClientSession is closed");
        }
        ClientTimeout t = req.timeout != null ? req.timeout : timeout;
        double deadline = t.total() == Double.POSITIVE_INFINITY ? Double.POSITIVE_INFINITY : loop.time() + t.total();
        RetryPolicy policy = req.retry != null ? req.retry : retry;
        boolean retryable = policy != null && policy.attempts() > 1 && IDEMPOTENT.contains(req.method)
                && (req.body == null || !req.body.isStreamed());
        ClientResponse r;
        for (int attempt = 1;; attempt++) {
            if (rateLimiter != null) {
                rateLimiter.acquire(req, deadline, t);
            }
            try {
                r = sendOnce(req, t, deadline);
            } catch (ClientConnectionException | ServerDisconnectedException e) {
                if (!retryable || attempt >= policy.attempts() || !waitToRetry(policy.backoff(attempt), deadline)) {
                    throw e;
                }
                continue;
            }
            if (retryable && attempt < policy.attempts() && policy.statuses().contains(r.status())) {
                double delay = retryAfter(r.header("Retry-After"), policy);
                if (Double.isNaN(delay)) {
                    delay = policy.backoff(attempt);
                }
                if (loop.time() + delay < deadline) {
                    discardBody(r);
                    if (waitToRetry(delay, deadline)) {
                        continue;
                    }
                }
            }
            break;
        }
        boolean raise = req.raiseForStatus != null ? req.raiseForStatus : raiseForStatus;
        if (raise && r.status() >= 400) {
            discardBody(r);  // a small error body is read, so its connection can be reused
            r.raiseForStatus();
        }
        return r;
    }

    private static final java.util.Set<String> IDEMPOTENT = java.util.Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    /** Sleeps before a retry unless that would pass the deadline; a cancellation point. */
    private boolean waitToRetry(double delay, double deadline) {
        if (loop.time() + delay >= deadline) {
            return false;
        }
        Asyncio.sleep(delay);
        return true;
    }

    /** The delay a {@code Retry-After} value asks for, capped by the policy; NaN if absent or invalid. */
    static double retryAfter(String value, RetryPolicy policy) {
        if (value == null) {
            return Double.NaN;
        }
        String v = value.trim();
        double d;
        try {
            d = Long.parseLong(v);
        } catch (NumberFormatException notSeconds) {
            try {
                long at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant().toEpochMilli();
                d = (at - System.currentTimeMillis()) / 1000.0;
            } catch (java.time.format.DateTimeParseException notADate) {
                return Double.NaN;
            }
        }
        return Math.max(0, Math.min(d, policy.maxDelay()));
    }

    private ClientResponse sendOnce(ClientRequest req, ClientTimeout t, double deadline) throws IOException {
        URI uri;
        Target first = null;
        if (req.query == null) {
            first = targetCache.get(req.url);
            if (first == null) {
                first = Target.of(resolve(req));
                if (targetCache.size() >= 1024) {
                    targetCache.clear();
                }
                targetCache.put(req.url, first);
            }
            uri = first.uri();
        } else {
            uri = resolve(req);
        }
        String method = req.method;
        RequestBody body = req.body;
        Headers extra = req.headers;
        boolean follow = req.allowRedirects != null ? req.allowRedirects : true;
        List<ClientResponse> history = List.of();
        for (;;) {
            Target target = first != null ? first : Target.of(uri);
            first = null;
            Headers sent = extra;
            String cookie = cookies == null ? null : cookies.header(uri);
            if (cookie != null && (extra == null || !extra.contains("Cookie"))) {
                sent = extra == null ? new Headers() : extra.copy();
                sent.add("Cookie", cookie);
            }
            byte[] head = encodeHead(method, target, sent, body, req.expectContinue);
            Exchange ex = new Exchange(pool, method, target, head,
                    body == null ? null : body.bytes, body == null ? null : body.source,
                    body == null ? -1 : body.length, req.expectContinue, t, deadline, trace);
            ex.start();
            ClientResponse r = new ClientResponse(this, ex, method, uri, history, maxBodySize, autoDecompress);
            if (leaks != null) {
                leaks.opened(r);
            }
            if (cookies != null) {
                cookies.update(uri, r.headers());
            }
            int s = r.status();
            String location = r.header("Location");
            if (follow && location != null && (s == 301 || s == 302 || s == 303 || s == 307 || s == 308)
                    && !(body != null && body.isStreamed() && (s == 307 || s == 308))) {
                if (history.size() >= maxRedirects) {
                    r.release();
                    List<ClientResponse> all = new ArrayList<>(history);
                    all.add(r);
                    throw new TooManyRedirectsException("more than " + maxRedirects + " redirects, the last from "
                            + uri + " to " + location, all);
                }
                URI next;
                try {
                    next = uri.resolve(new URI(location.trim()));
                } catch (URISyntaxException e) {
                    r.release();
                    throw new ClientPayloadException("the redirect from " + uri + " has a bad Location: " + location, e);
                }
                if (trace != null) {
                    trace.redirect(method, uri, next, s);
                }
                discardBody(r);
                List<ClientResponse> h = new ArrayList<>(history);
                h.add(r);
                history = List.copyOf(h);
                if (s == 303 && !method.equals("HEAD") || (s == 301 || s == 302) && method.equals("POST")) {
                    method = "GET";
                    body = null;
                }
                if (!Target.of(next).sameOrigin(target) && extra != null && extra.contains("Authorization")) {
                    extra = extra.copy();
                    extra.remove("Authorization");
                }
                uri = next;
                continue;
            }
            return r;
        }
    }

    /** Reads a redirect's small body so the connection can be reused; closes it if the body is large or slow to come. */
    private static void discardBody(ClientResponse r) throws IOException {
        long cl = r.contentLength();
        if (cl >= 0 && cl <= 65536) {
            r.read();
        }
        r.release();
    }

    private URI resolve(ClientRequest req) {
        String u = req.url;
        if (req.query != null) {
            u = u + (u.indexOf('?') >= 0 ? "&" : "?") + req.query;
        }
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + u + " (" + e.getReason() + ")", e);
        }
        if (!uri.isAbsolute()) {
            if (baseUrl == null) {
                throw new IllegalArgumentException("a relative URL needs the session's base URL: " + u);
            }
            uri = baseUrl.resolve(uri);
        }
        return uri;
    }

    private byte[] encodeHead(String method, Target target, Headers extra, RequestBody body, boolean expect) {
        boolean cacheable = extra == null && body == null;
        String cacheKey = null;
        boolean get = cacheable && method.equals("GET");
        if (get) {
            byte[] cached = getHeads.get(target);
            if (cached != null) {
                return cached;
            }
        } else if (cacheable) {
            cacheKey = method + " " + target.key() + target.target();
            byte[] cached = headCache.get(cacheKey);
            if (cached != null) {
                return cached;
            }
        }
        Headers h = new Headers(defaultHeaders.size() + 4);
        h.add("Host", target.hostHeader());
        for (int i = 0; i < defaultHeaders.size(); i++) {
            String name = defaultHeaders.name(i);
            if (extra == null || !extra.contains(name)) {
                h.add(name, defaultHeaders.value(i));
            }
        }
        if (extra != null) {
            for (int i = 0; i < extra.size(); i++) {
                h.add(extra.name(i), extra.value(i));
            }
        }
        long kind = H1Serializer.NO_BODY;
        if (body != null) {
            if (body.contentType != null && !h.contains("Content-Type")) {
                h.add("Content-Type", body.contentType);
            }
            if (expect) {
                h.add("Expect", "100-continue");
            }
            kind = body.bytes != null ? body.bytes.length : body.length >= 0 ? body.length : H1Serializer.CHUNKED;
        } else if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            kind = 0;
        }
        ByteBuffer b = H1Serializer.encode(new RequestHead(method, target.target(), HttpVersion.HTTP_1_1, h), kind);
        byte[] bytes = b.array();
        if (get) {
            if (getHeads.size() >= 1024) {
                getHeads.clear();
            }
            getHeads.put(target, bytes);
        } else if (cacheable) {
            if (headCache.size() >= 1024) {
                headCache.clear();
            }
            headCache.put(cacheKey, bytes);
        }
        return bytes;
    }

    /** The base URL, or null. */
    URI baseUri() {
        return baseUrl;
    }

    /** The session's cookie jar, or null if it keeps none. */
    public CookieJar cookieJar() {
        return cookies;
    }

    /** Connections open (in use, idle, or being opened). */
    public int openConnections() {
        return pool.openCount();
    }

    /** Idle connections kept for reuse. */
    public int idleConnections() {
        return pool.idleCount();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the idle connections and refuses further requests; a response still open keeps its connection until released, then it is closed. Idempotent; never waits. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (leaks != null) {
            for (Object r : leaks.closing()) {
                ((ClientResponse) r).release();
            }
        }
        pool.close();
    }

    /** A response of this session was released. */
    void released(ClientResponse r) {
        if (leaks != null) {
            leaks.released(r);
        }
    }

    /** Builds a {@link ClientSession}; every setter returns the builder. */
    public static final class Builder {
        private URI baseUrl;
        private final Headers headers = new Headers();
        private ClientTimeout timeout = ClientTimeout.DEFAULT;
        private ConnectorOptions connector = ConnectorOptions.DEFAULTS;
        private boolean raiseForStatus;
        private int maxRedirects = 10;
        private long maxBodySize = Long.MAX_VALUE;
        private boolean autoDecompress = true;
        private CookieJar cookieJar = CookieJar.create();
        private RetryPolicy retry;
        private ClientTrace trace;
        private double ratePerHost;
        private int rateBurst = 1;

        /** Tracing hooks called at each step of every request (none by default). */
        public Builder trace(ClientTrace hooks) {
            this.trace = hooks;
            return this;
        }

        /** Retries idempotent requests by this policy (none by default: only the stale-connection retry). */
        public Builder retry(RetryPolicy policy) {
            this.retry = policy;
            return this;
        }

        /**
         * Starts at most {@code requestsPerSecond} requests per second to each host (scheme, host
         * and port), allowing bursts of {@code burst}, in arrival order; off by default. Retries and
         * redirects' first requests count. The wait is a cancellation point and counts against the
         * total timeout. (Concurrency per host is {@link ConnectorOptions#limitPerHost()}: each
         * request in flight holds a connection.)
         */
        public Builder ratePerHost(double requestsPerSecond, int burst) {
            if (!(requestsPerSecond > 0) || burst < 1) {
                throw new IllegalArgumentException("need a positive rate and a burst of at least 1: "
                        + requestsPerSecond + ", " + burst);
            }
            this.ratePerHost = requestsPerSecond;
            this.rateBurst = burst;
            return this;
        }

        private Builder() {
        }

        /** The cookie jar ({@link CookieJar#create()} by default, which ignores IP hosts); null keeps no cookies. */
        public Builder cookieJar(CookieJar jar) {
            this.cookieJar = jar;
            return this;
        }

        /** The URL relative request URLs are resolved against ({@code http://host:port/api/}). */
        public Builder baseUrl(String url) {
            URI u = URI.create(url);
            Target.of(u);
            this.baseUrl = u;
            return this;
        }

        /** A header sent with every request (a request's own header of the same name replaces it). */
        public Builder header(String name, String value) {
            headers.set(name, value);
            return this;
        }

        /** The default limits of every request ({@link ClientTimeout#DEFAULT}: 300 s total, 30 s TCP connect). */
        public Builder timeout(ClientTimeout t) {
            this.timeout = Objects.requireNonNull(t, "timeout");
            return this;
        }

        /** The pool's limits, idle expiry and TLS. */
        public Builder connector(ConnectorOptions c) {
            this.connector = Objects.requireNonNull(c, "connector");
            return this;
        }

        /** Whether a status of 400 or more raises {@link ClientResponseException} (false by default, as aiohttp). */
        public Builder raiseForStatus(boolean v) {
            this.raiseForStatus = v;
            return this;
        }

        /** The most redirects a request follows (10 by default); 0 returns every redirect as it is. */
        public Builder maxRedirects(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxRedirects must not be negative: " + n);
            }
            this.maxRedirects = n;
            return this;
        }

        /** The largest (decoded) body a response may have before {@link BodyTooLargeException}; unlimited by default. */
        public Builder maxBodySize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxBodySize must not be negative: " + bytes);
            }
            this.maxBodySize = bytes;
            return this;
        }

        /** Whether to ask for and decode gzip and deflate content (true by default). */
        public Builder autoDecompress(boolean v) {
            this.autoDecompress = v;
            return this;
        }

        /**
         * The session, for the running loop.
         *
         * @throws IllegalStateException if not called on a running loop
         */
        public ClientSession build() {
            return new ClientSession(this);
        }
    }
}
