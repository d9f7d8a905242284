package io.jasyncio.http.internal.h1;

import static io.jasyncio.http.internal.h1.Ascii.CR;
import static io.jasyncio.http.internal.h1.Ascii.HEX;
import static io.jasyncio.http.internal.h1.Ascii.HT;
import static io.jasyncio.http.internal.h1.Ascii.LF;
import static io.jasyncio.http.internal.h1.Ascii.SP;
import static io.jasyncio.http.internal.h1.Ascii.TCHAR;
import static io.jasyncio.http.internal.h1.Ascii.isWs;

import io.jasyncio.http.Headers;
import io.jasyncio.http.HttpParseException;
import io.jasyncio.http.HttpVersion;
import io.jasyncio.http.Method;
import io.jasyncio.http.RequestHead;
import io.jasyncio.http.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A strict, incremental, sans-I/O HTTP/1.1 message parser: the caller feeds it bytes and it
 * returns {@linkplain Event events}; it never reads a socket, so every behaviour is bytes in,
 * events out. One parser reads one connection's messages in one direction: requests
 * ({@link #forRequests}, a server's side) or responses ({@link #forResponses}, a client's side).
 *
 * <p>Call {@link #next(ByteBuffer)} with the bytes received; it consumes from the buffer's
 * position and returns one event at a time: {@link Event#HEAD} (then {@link #requestHead()} or
 * {@link #responseHead()} and the framing accessors), {@link Event#BODY} (then {@link #body()}, a
 * view of the input buffer: the body is never copied), {@link Event#END} (then {@link #trailers()}),
 * {@link Event#UPGRADE}, {@link Event#CLOSED}, or {@link Event#NEED_DATA} once the buffer is used
 * up. The bytes of a partial line are kept inside, so the buffer may be cleared and refilled
 * after {@code NEED_DATA}; any split of the input, down to one byte at a time, gives the same
 * events (body slices are cut where the input was, their concatenation is the same). When the
 * peer closes, call {@link #endOfInput()}.
 *
 * <p>It stops at each message's end ({@code END}) and continues with the next pipelined message
 * on the next call, if the connection stays open ({@link #keepAlive()}); otherwise every later call
 * returns {@code CLOSED} and leaves the rest of the input unconsumed. At a protocol switch
 * ({@code CONNECT}, an {@code Upgrade} request, a 101 response, a 2xx answer to {@code CONNECT}) it
 * returns {@code UPGRADE} with the buffer positioned at the first byte that is not HTTP.
 *
 * <p>Malformed input, smuggling attempts and floods are refused with an
 * {@link HttpParseException} whose {@code status()} a server should answer; the parser then
 * stays failed. Leniencies and limits are set by {@link H1Options}. See docs/http-parser.md.
 *
 * <p>Not thread-safe: a connection's parser is used by the one task that reads it.
 */
public final class H1Parser {

    /** What {@link #next(ByteBuffer)} found. */
    public enum Event {
        /** The input buffer is used up; call again with more bytes. */
        NEED_DATA,
        /** A message's head is complete: {@link #requestHead()} / {@link #responseHead()} and the framing accessors are set. */
        HEAD,
        /** Some content: {@link #body()} is a view of the input buffer, valid until the buffer is changed. */
        BODY,
        /** The message is complete: {@link #trailers()} holds its trailer fields (empty if none). */
        END,
        /**
         * The message is complete and the connection leaves HTTP: the input buffer's position is at
         * the first byte of the new protocol (for a request parser, {@link #resumeHttp()} declines
         * the switch and continues with HTTP).
         */
        UPGRADE,
        /** The last message closed the connection ({@link #keepAlive()} was false): read no further. */
        CLOSED
    }

    private enum State {
        START, HEADERS, BODY_LENGTH, BODY_UNTIL_CLOSE, CHUNK_SIZE, CHUNK_DATA, CHUNK_CR, CHUNK_LF, TRAILERS,
        COMPLETE, UPGRADED, CLOSED, FAILED
    }

    private final boolean requests;
    private final H1Options options;
    private final boolean bareLf;
    private final boolean relaxedValues;
    private final boolean chunkSpaces;

    private State state = State.START;
    private HttpParseException failure;
    private long consumed;

    // The line being read: its bytes so far, and whether its CR was the last byte seen.
    private byte[] line = new byte[256];
    private int lineLen;
    private boolean sawCr;
    private int headBytes;

    // The current message.
    private String method;
    private String target;
    private HttpVersion version;
    private int status;
    private String reason;
    private Headers headers;
    private Headers trailers;
    private RequestHead requestHead;
    private ResponseHead responseHead;
    private long contentLength;
    private boolean hasContentLength;
    private boolean hasTransferEncoding;
    private boolean chunkedLast;
    private int chunkedCount;
    private boolean connClose;
    private boolean connKeepAlive;
    private boolean connUpgrade;
    private boolean hasUpgrade;
    private boolean expect100;
    private boolean chunked;
    private boolean untilClose;
    private boolean keepAlive;
    private boolean upgrade;
    private long remaining;
    private long bodyCount;
    private long bodyLimit;
    private ByteBuffer body;
    private String chunkExtensions = "";
    private String requestMethod;

    private H1Parser(boolean requests, H1Options options) {
        this.requests = requests;
        this.options = options;
        this.bareLf = options.allows(H1Options.Leniency.BARE_LF_LINE_ENDS);
        this.relaxedValues = options.allows(H1Options.Leniency.CONTROL_CHARS_IN_FIELD_VALUES);
        this.chunkSpaces = options.allows(H1Options.Leniency.SPACES_IN_CHUNK_LINES);
    }

    /** The bytes the parser holds for a partial line (its buffer's capacity), for the fuzz tests' bound. */
    int retainedLineCapacity() {
        return line.length;
    }

    /** A parser of the requests a server receives. */
    public static H1Parser forRequests(H1Options options) {
        return new H1Parser(true, options);
    }

    /** A parser of the responses a client receives; tell it each request's method with {@link #expectResponseTo}. */
    public static H1Parser forResponses(H1Options options) {
        return new H1Parser(false, options);
    }

    /**
     * Tells a response parser the method of the request the next final response answers: after
     * {@code HEAD} a response has no content whatever its headers say, and a 2xx answer to
     * {@code CONNECT} switches to a tunnel. Interim (1xx) responses keep it; a final response's
     * end forgets it (the default is a request with no such rule, as {@code GET}).
     */
    public void expectResponseTo(String requestMethod) {
        if (requests) {
            throw new IllegalStateException("a request parser reads no responses");
        }
        this.requestMethod = requestMethod;
    }

    /**
     * Consumes bytes from {@code in}'s position and returns the next event.
     *
     * @throws HttpParseException if the input breaks a rule or a limit; the parser stays failed
     *                            and every later call throws the same exception
     */
    public Event next(ByteBuffer in) {
        switch (state) {
            case FAILED:
                throw failure;
            case CLOSED:
                return Event.CLOSED;
            case UPGRADED:
                return Event.UPGRADE;
            default:
                break;
        }
        try {
            return step(in);
        } catch (HttpParseException e) {
            state = State.FAILED;
            failure = e;
            throw e;
        }
    }

    /**
     * Tells the parser the peer closed its side, and says whether that completed a message.
     *
     * @return true if the input's end completed a message whose content runs to the close (a
     *         response without framing), which the caller then treats as {@link Event#END}; false
     *         if no message was open
     * @throws HttpParseException {@code INCOMPLETE_MESSAGE} if a message was cut off
     * @throws IllegalStateException if a complete message's {@code END} has not been collected
     */
    public boolean endOfInput() {
        switch (state) {
            case FAILED:
                throw failure;
            case CLOSED, UPGRADED:
                return false;
            case START:
                if (lineLen == 0 && !sawCr) {
                    state = State.CLOSED;
                    return false;
                }
                break;
            case BODY_UNTIL_CLOSE:
                state = State.CLOSED;
                return true;
            case COMPLETE:
                throw new IllegalStateException("call next() until NEED_DATA before endOfInput()");
            case BODY_LENGTH:
                if (remaining == 0) {
                    throw new IllegalStateException("call next() until NEED_DATA before endOfInput()");
                }
                break;
            default:
                break;
        }
        state = State.FAILED;
        failure = H1Error.INCOMPLETE_MESSAGE.at(consumed, "in " + where());
        throw failure;
    }

    /**
     * For a request parser stopped at {@link Event#UPGRADE}: declines the switch (the server
     * answers without switching) and continues reading HTTP from the buffer's position. A
     * {@code CONNECT} request has no content, so what follows its head is read as the next request.
     */
    public void resumeHttp() {
        if (!requests || state != State.UPGRADED) {
            throw new IllegalStateException("not stopped at a request's upgrade");
        }
        upgrade = false;
        state = keepAlive ? State.START : State.CLOSED;
    }

    /** The head of the current request (after {@link Event#HEAD}), or null. */
    public RequestHead requestHead() {
        return requestHead;
    }

    /** The head of the current response (after {@link Event#HEAD}), or null. */
    public ResponseHead responseHead() {
        return responseHead;
    }

    /**
     * The declared content length of the current message, known at {@link Event#HEAD} so a server
     * can answer 413 before reading; 0 for a message without content; -1 when the length is not
     * declared (chunked, or content until the connection closes).
     */
    public long contentLength() {
        return chunked || untilClose ? -1 : contentLength;
    }

    /** Whether the current message's content is chunked. */
    public boolean isChunked() {
        return chunked;
    }

    /** Whether the current response's content runs until the connection closes. */
    public boolean readsUntilClose() {
        return untilClose;
    }

    /**
     * Whether the connection stays open after the current message: HTTP/1.1 unless
     * {@code Connection: close}; HTTP/1.0 only with {@code Connection: keep-alive} (and never
     * after a response whose content runs to the close).
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the current HTTP/1.1 request carries {@code Expect: 100-continue}. */
    public boolean expectContinue() {
        return expect100;
    }

    /**
     * Whether the current message switches protocols when it ends: {@code CONNECT}, a request with
     * {@code Upgrade} and {@code Connection: upgrade}, a 101 response, a 2xx answer to {@code CONNECT}.
     */
    public boolean isUpgrade() {
        return upgrade;
    }

    /** The content just reported by {@link Event#BODY}: a view of the input buffer, not a copy. */
    public ByteBuffer body() {
        return body;
    }

    /** The extensions of the chunk whose size line was read last, as sent ({@code ";name=value..."}), or {@code ""}. */
    public String chunkExtensions() {
        return chunkExtensions;
    }

    /** The trailer fields of the current message (after {@link Event#END}; empty if none). */
    public Headers trailers() {
        if (trailers == null) {
            trailers = new Headers(1);
        }
        return trailers;
    }

    /**
     * Sets the content limit of the current message (after {@link Event#HEAD}): a larger
     * {@code Content-Length} fails the next call with 413, and so does a chunked body whose
     * running total passes it. The next message starts again from {@link H1Options#maxBodySize()}.
     */
    public void bodyLimit(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit");
        }
        this.bodyLimit = limit;
    }

    /** How many bytes of the connection the parser has consumed. */
    public long offset() {
        return consumed;
    }

    // ---- the state machine

    private Event step(ByteBuffer in) {
        for (;;) {
            switch (state) {
                case START -> {
                    if (!readLine(in, options.maxStartLineLength(),
                            requests ? H1Error.REQUEST_LINE_TOO_LONG : H1Error.STATUS_LINE_TOO_LONG, true)) {
                        return Event.NEED_DATA;
                    }
                    if (lineLen > 0) {
                        beginMessage();
                        if (requests) {
                            parseRequestLine();
                        } else {
                            parseStatusLine();
                        }
                        state = State.HEADERS;
                    }
                    lineLen = 0;
                }
                case HEADERS -> {
                    if (!readLine(in, options.maxHeaderLineLength(), H1Error.HEADER_LINE_TOO_LONG, true)) {
                        return Event.NEED_DATA;
                    }
                    if (lineLen == 0) {
                        finishHead();
                        return Event.HEAD;
                    }
                    addField(headers, true);
                    lineLen = 0;
                }
                case BODY_LENGTH -> {
                    if (contentLength > bodyLimit) {
                        throw H1Error.BODY_TOO_LARGE.at(consumed,
                                "Content-Length " + contentLength + " > " + bodyLimit);
                    }
                    if (remaining == 0) {
                        return complete();
                    }
                    return slice(in, State.BODY_LENGTH);
                }
                case BODY_UNTIL_CLOSE -> {
                    int n = in.remaining();
                    if (n == 0) {
                        return Event.NEED_DATA;
                    }
                    if (n > bodyLimit - bodyCount) {
                        throw H1Error.BODY_TOO_LARGE.at(consumed, "more than " + bodyLimit + " bytes");
                    }
                    bodyCount += n;
                    body = in.slice(in.position(), n);
                    advance(in, in.limit());
                    return Event.BODY;
                }
                case CHUNK_SIZE -> {
                    if (!readLine(in, options.maxChunkLineLength(), H1Error.CHUNK_LINE_TOO_LONG, false)) {
                        return Event.NEED_DATA;
                    }
                    long size = parseChunkLine();
                    lineLen = 0;
                    if (size == 0) {
                        headBytes = 0;
                        state = State.TRAILERS;
                    } else {
                        if (size > bodyLimit - bodyCount) {
                            throw H1Error.BODY_TOO_LARGE.at(consumed, "chunked content passes " + bodyLimit + " bytes");
                        }
                        bodyCount += size;
                        remaining = size;
                        state = State.CHUNK_DATA;
                    }
                }
                case CHUNK_DATA -> {
                    return slice(in, State.CHUNK_CR);
                }
                case CHUNK_CR -> {
                    int p = in.position();
                    if (p == in.limit()) {
                        return Event.NEED_DATA;
                    }
                    byte b = in.get(p);
                    if (b == CR) {
                        state = State.CHUNK_LF;
                    } else if (b == LF && bareLf) {
                        state = State.CHUNK_SIZE;
                    } else {
                        throw H1Error.MISSING_CHUNK_CRLF.at(consumed);
                    }
                    advance(in, p + 1);
                }
                case CHUNK_LF -> {
                    int p = in.position();
                    if (p == in.limit()) {
                        return Event.NEED_DATA;
                    }
                    if (in.get(p) != LF) {
                        throw H1Error.BARE_CR.at(consumed, "after chunk data");
                    }
                    advance(in, p + 1);
                    state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    if (!readLine(in, options.maxHeaderLineLength(), H1Error.HEADER_LINE_TOO_LONG, true)) {
                        return Event.NEED_DATA;
                    }
                    if (lineLen == 0) {
                        return complete();
                    }
                    if (trailers == null) {
                        trailers = new Headers(4);
                    }
                    addField(trailers, false);
                    lineLen = 0;
                }
                case COMPLETE -> {
                    return complete();
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    /** Reports up to {@code remaining} bytes of the input as content; {@code after} is the state once they are all read. */
    private Event slice(ByteBuffer in, State after) {
        int p = in.position();
        int avail = in.limit() - p;
        if (avail == 0) {
            return Event.NEED_DATA;
        }
        int n = (int) Math.min(avail, remaining);
        body = in.slice(p, n);
        advance(in, p + n);
        remaining -= n;
        if (remaining == 0) {
            state = after;
        }
        return Event.BODY;
    }

    private void advance(ByteBuffer in, int newPosition) {
        consumed += newPosition - in.position();
        in.position(newPosition);
    }

    /**
     * Reads bytes up to the end of a line into {@link #line}, without its CRLF; true when the line
     * is complete. A CR must be followed by LF; a bare LF ends a line only with the leniency.
     */
    private boolean readLine(ByteBuffer in, int limit, H1Error tooLong, boolean head) {
        int p = in.position();
        int end = in.limit();
        if (sawCr) {
            if (p == end) {
                return false;
            }
            if (in.get(p) != LF) {
                throw H1Error.BARE_CR.at(consumed, "in " + where());
            }
            sawCr = false;
            advance(in, p + 1);
            return true;
        }
        int i = p;
        byte b = 0;
        if (in.hasArray()) {
            // The hot path: scan the backing array directly.
            byte[] a = in.array();
            int off = in.arrayOffset();
            int j = p + off;
            int e = end + off;
            while (j < e) {
                b = a[j];
                if (b == CR || b == LF) {
                    break;
                }
                j++;
            }
            i = j - off;
        } else {
            while (i < end) {
                b = in.get(i);
                if (b == CR || b == LF) {
                    break;
                }
                i++;
            }
        }
        int n = i - p;
        if (n > 0) {
            if (lineLen + n > limit) {
                throw tooLong.at(consumed, "more than " + limit + " bytes");
            }
            if (head) {
                headBytes += n;
                if (headBytes > options.maxHeadSize()) {
                    throw H1Error.HEAD_TOO_LARGE.at(consumed, "more than " + options.maxHeadSize() + " bytes");
                }
            }
            if (lineLen + n > line.length) {
                line = Arrays.copyOf(line, Math.min(Math.max(line.length * 2, lineLen + n), Math.max(limit, lineLen + n)));
            }
            in.get(p, line, lineLen, n);
            lineLen += n;
        }
        if (i == end) {
            advance(in, end);
            return false;
        }
        if (head) {
            headBytes += 2;
            if (headBytes > options.maxHeadSize()) {
                throw H1Error.HEAD_TOO_LARGE.at(consumed, "more than " + options.maxHeadSize() + " bytes");
            }
        }
        if (b == LF) {
            if (!bareLf) {
                advance(in, i);
                throw H1Error.BARE_LF.at(consumed, "in " + where());
            }
            advance(in, i + 1);
            return true;
        }
        if (i + 1 == end) {
            sawCr = true;
            advance(in, end);
            return false;
        }
        if (in.get(i + 1) != LF) {
            advance(in, i + 1);
            throw H1Error.BARE_CR.at(consumed, "in " + where());
        }
        advance(in, i + 2);
        return true;
    }

    private String where() {
        return switch (state) {
            case START -> requests ? "the request line" : "the status line";
            case HEADERS -> "the header section";
            case TRAILERS -> "the trailer section";
            case CHUNK_SIZE, CHUNK_CR, CHUNK_LF -> "the chunk framing";
            case CHUNK_DATA, BODY_LENGTH -> "the content";
            default -> "the message";
        };
    }

    private void beginMessage() {
        method = null;
        target = null;
        version = null;
        reason = null;
        status = 0;
        headers = new Headers(16);
        trailers = null;
        requestHead = null;
        responseHead = null;
        contentLength = 0;
        hasContentLength = false;
        hasTransferEncoding = false;
        chunkedLast = false;
        chunkedCount = 0;
        connClose = false;
        connKeepAlive = false;
        connUpgrade = false;
        hasUpgrade = false;
        expect100 = false;
        chunked = false;
        untilClose = false;
        keepAlive = false;
        upgrade = false;
        remaining = 0;
        bodyCount = 0;
        bodyLimit = options.maxBodySize();
        body = null;
        chunkExtensions = "";
    }

    // ---- start lines

    private void parseRequestLine() {
        byte[] b = line;
        int n = lineLen;
        int i = 0;
        while (i < n && TCHAR[b[i] & 0xff]) {
            i++;
        }
        if (i == 0) {
            throw H1Error.BAD_METHOD.at(consumed, isWs(b[0]) ? "whitespace before the method" : "empty method");
        }
        if (i == n || b[i] != SP) {
            throw H1Error.BAD_METHOD.at(consumed, i == n ? "no request-target" : "invalid character after the method");
        }
        method = Ascii.method(b, 0, i);
        int ts = ++i;
        while (i < n && b[i] > 0x20 && b[i] < 0x7f) {
            i++;
        }
        if (i == ts) {
            throw H1Error.BAD_TARGET.at(consumed, "empty, or more than one space after the method");
        }
        if (i == n) {
            throw H1Error.BAD_REQUEST_LINE.at(consumed, "no HTTP version");
        }
        if (b[i] != SP) {
            throw H1Error.BAD_TARGET.at(consumed, "invalid character in the request-target");
        }
        checkTarget(b, ts, i);
        target = new String(b, ts, i - ts, StandardCharsets.ISO_8859_1);
        version = parseVersion(b, i + 1, n);
    }

    /** Checks the request-target's form against the method (RFC 9112 section 3.2). */
    private void checkTarget(byte[] b, int from, int to) {
        boolean connect = method == Method.CONNECT || method.equals(Method.CONNECT);
        byte c0 = b[from];
        if (connect) {
            // authority-form: host ":" port, the host a reg-name, IPv4 or [IP-literal].
            int colon = -1;
            for (int i = from; i < to; i++) {
                byte c = b[i];
                if (c == ':') {
                    colon = i;
                } else if (c == '/' || c == '?' || c == '#' || c == '@') {
                    throw H1Error.BAD_TARGET.at(consumed, "CONNECT needs host:port (authority-form)");
                }
            }
            if (colon <= from || colon == to - 1) {
                throw H1Error.BAD_TARGET.at(consumed, "CONNECT needs host:port (authority-form)");
            }
            for (int i = colon + 1; i < to; i++) {
                if (b[i] < '0' || b[i] > '9') {
                    throw H1Error.BAD_TARGET.at(consumed, "CONNECT needs host:port (authority-form)");
                }
            }
            return;
        }
        if (c0 == '/') {
            return; // origin-form
        }
        if (c0 == '*' && to - from == 1) {
            if (!method.equals(Method.OPTIONS)) {
                throw H1Error.BAD_TARGET.at(consumed, "asterisk-form is only for OPTIONS");
            }
            return;
        }
        // absolute-form: scheme ":" hier-part
        if (!isAlpha(c0)) {
            throw H1Error.BAD_TARGET.at(consumed, "not origin-form, absolute-form or asterisk-form");
        }
        for (int i = from + 1; i < to; i++) {
            byte c = b[i];
            if (c == ':') {
                return;
            }
            if (!isAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
                break;
            }
        }
        throw H1Error.BAD_TARGET.at(consumed, "not origin-form, absolute-form or asterisk-form");
    }

    private static boolean isAlpha(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** HTTP-version = "HTTP/" DIGIT "." DIGIT, exactly filling {@code b[from, to)}. */
    private HttpVersion parseVersion(byte[] b, int from, int to) {
        if (to - from != 8 || b[from] != 'H' || b[from + 1] != 'T' || b[from + 2] != 'T' || b[from + 3] != 'P'
                || b[from + 4] != '/' || !isDigit(b[from + 5]) || b[from + 6] != '.' || !isDigit(b[from + 7])) {
            throw H1Error.BAD_VERSION.at(consumed);
        }
        if (b[from + 5] == '1') {
            if (b[from + 7] == '1') {
                return HttpVersion.HTTP_1_1;
            }
            if (b[from + 7] == '0') {
                return HttpVersion.HTTP_1_0;
            }
        }
        throw H1Error.UNSUPPORTED_VERSION.at(consumed, "HTTP/" + (char) b[from + 5] + "." + (char) b[from + 7]);
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** status-line = HTTP-version SP 3DIGIT [ SP reason-phrase ] (the SP before an empty reason may be missing). */
    private void parseStatusLine() {
        byte[] b = line;
        int n = lineLen;
        if (n < 8) {
            throw H1Error.BAD_VERSION.at(consumed);
        }
        version = parseVersion(b, 0, 8);
        if (n < 12 || b[8] != SP || !isDigit(b[9]) || !isDigit(b[10]) || !isDigit(b[11]) || b[9] == '0'
                || (n > 12 && b[12] != SP)) {
            throw H1Error.BAD_STATUS_LINE.at(consumed, "expected HTTP-version SP 3DIGIT SP reason");
        }
        status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
        if (n <= 13) {
            reason = "";
            return;
        }
        for (int i = 13; i < n; i++) {
            int c = b[i] & 0xff;
            if ((c < 0x20 && c != HT) || c == 0x7f) {
                throw H1Error.BAD_STATUS_LINE.at(consumed, "control character in the reason phrase");
            }
        }
        reason = new String(b, 13, n - 13, StandardCharsets.ISO_8859_1);
    }

    // ---- fields

    private void addField(Headers into, boolean header) {
        byte[] b = line;
        int n = lineLen;
        if (isWs(b[0])) {
            throw (header && into.isEmpty() ? H1Error.WHITESPACE_AFTER_START_LINE : H1Error.OBS_FOLD).at(consumed);
        }
        int i = 0;
        while (i < n && TCHAR[b[i] & 0xff]) {
            i++;
        }
        if (i == n) {
            throw H1Error.MISSING_COLON.at(consumed);
        }
        if (b[i] != ':') {
            throw (isWs(b[i]) ? H1Error.WHITESPACE_BEFORE_COLON : H1Error.BAD_FIELD_NAME).at(consumed);
        }
        if (i == 0) {
            throw H1Error.BAD_FIELD_NAME.at(consumed, "empty field name");
        }
        int nameEnd = i++;
        while (i < n && isWs(b[i])) {
            i++;
        }
        int vs = i;
        int ve = n;
        while (ve > vs && isWs(b[ve - 1])) {
            ve--;
        }
        for (int k = vs; k < ve; k++) {
            int c = b[k] & 0xff;
            if (((c < 0x20 && c != HT) || c == 0x7f) && !(relaxedValues && c != 0)) {
                throw H1Error.BAD_FIELD_VALUE.at(consumed, "control character 0x" + Integer.toHexString(c));
            }
        }
        if (into.size() >= options.maxHeaderCount()) {
            throw H1Error.TOO_MANY_HEADERS.at(consumed, "more than " + options.maxHeaderCount());
        }
        String name = Ascii.name(b, 0, nameEnd);
        String value = new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
        into.add(name, value);
        if (header) {
            inspect(name, value);
        }
    }

    /** Notes what a header field means for the framing and the connection. */
    private void inspect(String name, String value) {
        switch (name.length()) {
            case 14 -> {
                if (Ascii.equalsLower(name, "content-length")) {
                    long v = parseContentLength(value);
                    if (hasContentLength && v != contentLength) {
                        throw H1Error.DUPLICATE_CONTENT_LENGTH.at(consumed, contentLength + " and " + v);
                    }
                    hasContentLength = true;
                    contentLength = v;
                }
            }
            case 17 -> {
                if (Ascii.equalsLower(name, "transfer-encoding")) {
                    hasTransferEncoding = true;
                    parseTransferEncoding(value);
                }
            }
            case 10 -> {
                if (Ascii.equalsLower(name, "connection")) {
                    parseConnection(value);
                }
            }
            case 7 -> {
                if (Ascii.equalsLower(name, "upgrade")) {
                    hasUpgrade = true;
                }
            }
            case 6 -> {
                if (Ascii.equalsLower(name, "expect") && Ascii.equalsLower(value, "100-continue")) {
                    expect100 = true;
                }
            }
            default -> {
            }
        }
    }

    private long parseContentLength(String v) {
        int n = v.length();
        if (n == 0) {
            throw H1Error.BAD_CONTENT_LENGTH.at(consumed, "empty");
        }
        long r = 0;
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                throw H1Error.BAD_CONTENT_LENGTH.at(consumed, "only digits are allowed");
            }
            if (r > (Long.MAX_VALUE - (c - '0')) / 10) {
                throw H1Error.CONTENT_LENGTH_OVERFLOW.at(consumed);
            }
            r = r * 10 + (c - '0');
        }
        return r;
    }

    /** transfer-coding list: each element a token with optional parameters; empty elements are ignored. */
    private void parseTransferEncoding(String v) {
        int n = v.length();
        int i = 0;
        while (i <= n) {
            int s = i;
            while (i < n && v.charAt(i) != ',') {
                i++;
            }
            int e = i;
            while (s < e && (v.charAt(s) == ' ' || v.charAt(s) == '\t')) {
                s++;
            }
            while (e > s && (v.charAt(e - 1) == ' ' || v.charAt(e - 1) == '\t')) {
                e--;
            }
            if (e > s) {
                int t = s;
                while (t < e && v.charAt(t) < 256 && TCHAR[v.charAt(t)]) {
                    t++;
                }
                if (t == s || (t < e && v.charAt(t) != ';' && v.charAt(t) != ' ' && v.charAt(t) != '\t')) {
                    throw H1Error.BAD_TRANSFER_ENCODING.at(consumed, "a coding is not a token");
                }
                boolean isChunked = t - s == 7 && v.regionMatches(true, s, "chunked", 0, 7);
                if (isChunked) {
                    if (t < e) {
                        throw H1Error.BAD_TRANSFER_ENCODING.at(consumed, "chunked takes no parameters");
                    }
                    chunkedCount++;
                }
                chunkedLast = isChunked;
            }
            i++;
        }
    }

    private void parseConnection(String v) {
        int n = v.length();
        int i = 0;
        while (i <= n) {
            int s = i;
            while (i < n && v.charAt(i) != ',') {
                i++;
            }
            int e = i;
            while (s < e && (v.charAt(s) == ' ' || v.charAt(s) == '\t')) {
                s++;
            }
            while (e > s && (v.charAt(e - 1) == ' ' || v.charAt(e - 1) == '\t')) {
                e--;
            }
            int len = e - s;
            if (len == 5 && v.regionMatches(true, s, "close", 0, 5)) {
                connClose = true;
            } else if (len == 10 && v.regionMatches(true, s, "keep-alive", 0, 10)) {
                connKeepAlive = true;
            } else if (len == 7 && v.regionMatches(true, s, "upgrade", 0, 7)) {
                connUpgrade = true;
            }
            i++;
        }
    }

    /** Decides the framing and the connection's fate once the header section has ended. */
    private void finishHead() {
        lineLen = 0;
        headBytes = 0;
        keepAlive = version == HttpVersion.HTTP_1_1 ? !connClose : connKeepAlive && !connClose;
        if (requests) {
            requestHead = new RequestHead(method, target, version, headers);
            expect100 = expect100 && version == HttpVersion.HTTP_1_1;
            if (method == Method.CONNECT || method.equals(Method.CONNECT)) {
                upgrade = true;
                state = State.COMPLETE; // a CONNECT request has no content: the tunnel starts after the head
                return;
            }
            upgrade = hasUpgrade && connUpgrade;
            if (hasTransferEncoding) {
                checkTransferEncoding();
                if (!chunkedLast) {
                    throw H1Error.BAD_TRANSFER_ENCODING.at(consumed, "the final coding of a request must be chunked");
                }
                startChunked();
            } else if (hasContentLength && contentLength > 0) {
                remaining = contentLength;
                state = State.BODY_LENGTH;
            } else {
                contentLength = 0;
                state = State.COMPLETE;
            }
            return;
        }
        responseHead = new ResponseHead(version, status, reason, headers);
        expect100 = false;
        boolean connect = requestMethod != null && requestMethod.equals(Method.CONNECT);
        if (status == 101 || (connect && status / 100 == 2)) {
            upgrade = true;
            contentLength = 0;
            state = State.COMPLETE;
            return;
        }
        boolean head = requestMethod != null && requestMethod.equals(Method.HEAD);
        if (status < 200 || status == 204 || status == 304 || head) {
            // No content, whatever the framing headers say (RFC 9112 section 6.3, rules 1 and 2).
            state = State.COMPLETE;
            return;
        }
        if (hasTransferEncoding) {
            checkTransferEncoding();
            if (chunkedLast) {
                startChunked();
            } else {
                untilClose = true; // RFC 9112 section 6.3 rule 4: chunked is not final
                keepAlive = false;
                state = State.BODY_UNTIL_CLOSE;
            }
        } else if (hasContentLength) {
            remaining = contentLength;
            state = contentLength > 0 ? State.BODY_LENGTH : State.COMPLETE;
        } else {
            untilClose = true;
            keepAlive = false;
            state = State.BODY_UNTIL_CLOSE;
        }
    }

    private void checkTransferEncoding() {
        if (hasContentLength) {
            throw H1Error.CONTENT_LENGTH_WITH_TRANSFER_ENCODING.at(consumed);
        }
        if (version == HttpVersion.HTTP_1_0) {
            throw H1Error.TRANSFER_ENCODING_IN_HTTP_1_0.at(consumed);
        }
        // chunked applied twice is malformed in any message; chunked before another coding is a
        // request error, while a response then runs to the close (RFC 9112 section 6.3 rule 4).
        if (chunkedCount > 1 || (requests && chunkedCount == 1 && !chunkedLast)) {
            throw H1Error.BAD_TRANSFER_ENCODING.at(consumed, "chunked must be applied once, last");
        }
    }

    private void startChunked() {
        chunked = true;
        contentLength = -1;
        state = State.CHUNK_SIZE;
    }

    /** chunk-size [ chunk-ext ]: the size in hexadecimal, then ";name[=value]" extensions. */
    private long parseChunkLine() {
        byte[] b = line;
        int n = lineLen;
        int i = 0;
        long size = 0;
        while (i < n) {
            int h = HEX[b[i] & 0xff];
            if (h < 0) {
                break;
            }
            if (size > (Long.MAX_VALUE >>> 4)) {
                throw H1Error.CHUNK_SIZE_OVERFLOW.at(consumed);
            }
            size = (size << 4) | h;
            i++;
        }
        if (i == 0) {
            throw H1Error.BAD_CHUNK_SIZE.at(consumed, n == 0 ? "empty line" : "not a hexadecimal number");
        }
        i = skipChunkSpaces(b, i, n);
        if (i == n) {
            chunkExtensions = "";
            return size;
        }
        if (b[i] != ';') {
            throw H1Error.BAD_CHUNK_SIZE.at(consumed, "invalid character after the chunk size");
        }
        int extStart = i;
        while (i < n) {
            i = skipChunkSpaces(b, i + 1, n); // past ';'
            int s = i;
            while (i < n && TCHAR[b[i] & 0xff]) {
                i++;
            }
            if (i == s) {
                throw H1Error.BAD_CHUNK_EXTENSION.at(consumed, "missing extension name");
            }
            i = skipChunkSpaces(b, i, n);
            if (i < n && b[i] == '=') {
                i = skipChunkSpaces(b, i + 1, n);
                if (i < n && b[i] == '"') {
                    i = quotedString(b, i + 1, n);
                } else {
                    s = i;
                    while (i < n && TCHAR[b[i] & 0xff]) {
                        i++;
                    }
                    if (i == s) {
                        throw H1Error.BAD_CHUNK_EXTENSION.at(consumed, "missing extension value");
                    }
                }
                i = skipChunkSpaces(b, i, n);
            }
            if (i < n && b[i] != ';') {
                throw H1Error.BAD_CHUNK_EXTENSION.at(consumed, "invalid character");
            }
        }
        chunkExtensions = new String(b, extStart, n - extStart, StandardCharsets.ISO_8859_1);
        return size;
    }

    private int skipChunkSpaces(byte[] b, int i, int n) {
        if (chunkSpaces) {
            while (i < n && isWs(b[i])) {
                i++;
            }
        }
        return i;
    }

    /** Reads a quoted-string's rest from after its opening quote; returns the index after the closing one. */
    private int quotedString(byte[] b, int i, int n) {
        while (i < n) {
            int c = b[i] & 0xff;
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                i++;
                if (i == n) {
                    break;
                }
                c = b[i] & 0xff;
                if ((c < 0x20 && c != HT) || c == 0x7f) {
                    throw H1Error.BAD_CHUNK_EXTENSION.at(consumed, "invalid quoted-pair");
                }
            } else if ((c < 0x20 && c != HT) || c == 0x7f) {
                throw H1Error.BAD_CHUNK_EXTENSION.at(consumed, "control character in a quoted value");
            }
            i++;
        }
        throw H1Error.BAD_CHUNK_EXTENSION.at(consumed, "unterminated quoted value");
    }

    /** The current message is complete: END, or UPGRADE if the connection switches. */
    private Event complete() {
        lineLen = 0;
        headBytes = 0;
        if (upgrade) {
            state = State.UPGRADED;
            return Event.UPGRADE;
        }
        boolean interim = !requests && status < 200;
        if (!requests && !interim) {
            requestMethod = null;
        }
        state = keepAlive || interim ? State.START : State.CLOSED;
        return Event.END;
    }
}
