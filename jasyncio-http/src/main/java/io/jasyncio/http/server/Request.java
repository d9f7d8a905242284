package io.jasyncio.http.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.jasyncio.http.Headers;
import io.jasyncio.http.HttpVersion;
import io.jasyncio.http.RequestHead;
import io.jasyncio.sync.Event;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One request as a handler sees it (aiohttp's {@code web.Request}): method, paths, query,
 * headers, cookies, the route's parameters, the client's address, and the body, read whole
 * ({@link #bytes}, {@link #text}, {@link #json}, {@link #post}) or as a stream
 * ({@link #content}). Use it from the handler's task.
 */
public final class Request {
    final Exchange exchange;
    private final RequestHead head;
    private final String rawPath;
    private final String path;
    private final String queryString;
    Resolver.Match match;
    Set<String> allowed;
    private MultiMap<String> query;
    private Map<String, String> cookies;
    private Map<String, Object> attributes;
    private byte[] bodyCache;
    private MultiMap<Object> form;

    Request(Exchange exchange, RequestHead head) {
        this.exchange = exchange;
        this.head = head;
        String t = head.target();
        int start = 0;
        if (!t.isEmpty() && t.charAt(0) != '/' && !t.equals("*")) {
            // absolute-form: scheme://authority/path?query
            int scheme = t.indexOf("://");
            int slash = scheme < 0 ? -1 : t.indexOf('/', scheme + 3);
            int q = t.indexOf('?', scheme < 0 ? 0 : scheme + 3);
            start = slash < 0 || (q >= 0 && q < slash) ? -1 : slash;
        }
        int q = t.indexOf('?', Math.max(start, 0));
        if (start < 0) {
            rawPath = "/";
        } else {
            rawPath = q < 0 ? (start == 0 ? t : t.substring(start)) : t.substring(start, q);
        }
        queryString = q < 0 ? "" : t.substring(q + 1);
        path = Forms.percentDecode(rawPath, false); // IllegalArgumentException: 400
    }

    /**
     * The request's ID: the client's {@code X-Request-Id} when valid (1 to 128 characters of
     * letters, digits and {@code - _ . : + / =}), else 16 random hexadecimal digits. The response
     * carries it back in {@code X-Request-Id} (unless the handler set that header itself), and
     * the access log and the log of a failed handler show it.
     */
    public String requestId() {
        return exchange.requestId();
    }

    /** The method, as sent ({@code GET}, ...). */
    public String method() {
        return head.method();
    }

    /** The request-target exactly as sent ({@code /a%20b?x=1}). */
    public String target() {
        return head.target();
    }

    /** The path as sent, percent-encoded, without the query ({@code /a%20b}). */
    public String rawPath() {
        return rawPath;
    }

    /** The percent-decoded path ({@code /a b}), which routes match. */
    public String path() {
        return path;
    }

    /** The query string as sent, without {@code ?} ({@code ""} if none). */
    public String queryString() {
        return queryString;
    }

    /**
     * The decoded query parameters, in order (aiohttp's {@code request.query}).
     *
     * @throws HttpException 400 if the query's percent-encoding is malformed
     */
    public MultiMap<String> query() {
        if (query == null) {
            try {
                query = Forms.parseQuery(queryString);
            } catch (IllegalArgumentException e) {
                throw HttpException.badRequest("malformed query string: " + e.getMessage());
            }
        }
        return query;
    }

    /** The first value of query parameter {@code name}, or null. */
    public String query(String name) {
        return query().get(name);
    }

    /** The protocol version. */
    public HttpVersion version() {
        return head.version();
    }

    /** The header fields as sent. */
    public Headers headers() {
        return head.headers();
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        return head.headers().get(name);
    }

    /** The {@code Host} header, or null. */
    public String host() {
        return head.headers().get("Host");
    }

    /** The {@code Content-Type} header, or null. */
    public String contentType() {
        return head.headers().get("Content-Type");
    }

    /** The declared body length; -1 if chunked; 0 if there is no body. */
    public long contentLength() {
        return exchange.contentLength;
    }

    /** Whether the connection may stay open after this request (before the server's own reasons to close). */
    public boolean keepAlive() {
        return exchange.parserKeepAlive;
    }

    /** The cookies the client sent ({@code Cookie}), by name. */
    public Map<String, String> cookies() {
        if (cookies == null) {
            cookies = Forms.parseCookies(head.headers());
        }
        return cookies;
    }

    /** The client's address ({@code peername}), or null. */
    public SocketAddress remoteAddress() {
        return exchange.conn.peer();
    }

    /** The route's parameters, decoded ({@code {id}} in {@code /users/{id}}). */
    public Map<String, String> matchInfo() {
        return match.params();
    }

    /** The route parameter {@code name}, or null. */
    public String matchInfo(String name) {
        return match.params().get(name);
    }

    /** The route that answers this request, or null when none matched (404/405). */
    public Route route() {
        return match.target().fallback ? null : match.target().route;
    }

    /** The application whose route answers this request (the root when none matched). */
    public Application app() {
        return match.target().app;
    }

    /** A map for middlewares and handlers to share values about this request (aiohttp's {@code request[key]}). */
    public Map<String, Object> attributes() {
        if (attributes == null) {
            attributes = new HashMap<>();
        }
        return attributes;
    }

    /**
     * Set when the server begins a graceful shutdown: a long-lived response (a stream, an event
     * feed) should finish soon; {@code await()} it in a task beside the writer.
     */
    public Event shutdownSignal() {
        return exchange.conn.core.shutdownSignal;
    }

    /** The body as a stream of chunks, read as they arrive, with flow control (aiohttp's {@code request.content}). */
    public BodyStream content() {
        return exchange.body;
    }

    /**
     * The whole body, read once (later calls return the same bytes). A cancellation point: if
     * cancelled, what was read is lost to later calls.
     *
     * @throws HttpException 413 if it is over the route's limit, 408 if the client stops sending, 400 if it is malformed
     * @throws IOException if the client has gone
     */
    public byte[] bytes() throws IOException {
        if (bodyCache == null) {
            bodyCache = exchange.body.readAll();
        }
        return bodyCache;
    }

    /** The whole body decoded with the {@code Content-Type}'s charset (UTF-8 if none); as {@link #bytes}. */
    public String text() throws IOException {
        String cs = Forms.param(contentType(), "charset");
        Charset charset;
        try {
            charset = cs == null ? StandardCharsets.UTF_8 : Charset.forName(cs);
        } catch (RuntimeException e) {
            throw HttpException.unsupportedMediaType("unknown charset " + cs);
        }
        return new String(bytes(), charset);
    }

    /**
     * The body parsed as JSON by Jackson; as {@link #bytes}.
     *
     * @throws HttpException 400 if it is not JSON
     */
    public JsonNode json() throws IOException {
        return json(JsonNode.class);
    }

    /** The body parsed as JSON into {@code type}; as {@link #json()}. */
    public <T> T json(Class<T> type) throws IOException {
        byte[] b = bytes();
        try {
            return Json.MAPPER.readValue(b, type);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw HttpException.badRequest("malformed JSON body: " + e.getOriginalMessage());
        }
    }

    /**
     * The form fields of an {@code application/x-www-form-urlencoded} or
     * {@code multipart/form-data} body (files as {@link FileField}s), read once (aiohttp's
     * {@code request.post()}); empty for another content type. As {@link #bytes}.
     *
     * @throws HttpException 400 if the form is malformed
     */
    public MultiMap<Object> post() throws IOException {
        if (form != null) {
            return form;
        }
        String type = Forms.mediaType(contentType());
        try {
            if (type.equals("application/x-www-form-urlencoded")) {
                MultiMap<String> m = Forms.parseQuery(new String(bytes(), StandardCharsets.ISO_8859_1));
                @SuppressWarnings("unchecked")
                MultiMap<Object> o = (MultiMap<Object>) (MultiMap<?>) m;
                form = o;
            } else if (type.equals("multipart/form-data")) {
                form = Forms.parseMultipart(bytes(), Forms.param(contentType(), "boundary"));
            } else {
                form = MultiMap.empty();
            }
        } catch (IllegalArgumentException e) {
            throw HttpException.badRequest("malformed form: " + e.getMessage());
        }
        return form;
    }

    HttpException notFoundOrNotAllowed() {
        return allowed == null || allowed.isEmpty() ? HttpException.notFound() : HttpException.methodNotAllowed(allowed);
    }

    @Override
    public String toString() {
        return head.method() + " " + head.target();
    }
}
