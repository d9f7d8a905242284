package io.jasyncio.http.internal.h1;

import static io.jasyncio.http.internal.h1.Feed.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.http.HttpParseException;
import io.jasyncio.http.HttpVersion;
import io.jasyncio.http.Method;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The request parser, feature by feature and refusal by refusal: bytes in, events or error out. */
@Timeout(30)
class H1ParserTest {

    static H1Parser parser() {
        return H1Parser.forRequests(H1Options.DEFAULT);
    }

    /** The events for {@code input}, checked to be the same when it arrives one byte at a time. */
    static List<String> parse(H1Options options, String input) {
        List<String> whole = Feed.events(H1Parser.forRequests(options), input);
        assertEquals(whole, Feed.oneByteAtATime(H1Parser.forRequests(options), input), "one byte at a time");
        return whole;
    }

    static List<String> parse(String input) {
        return parse(H1Options.DEFAULT, input);
    }

    /** Checks that {@code input} is refused with {@code code} and {@code status}, whole and byte by byte. */
    static HttpParseException refused(H1Options options, String input, String code, int status) {
        HttpParseException e = assertThrows(HttpParseException.class,
                () -> Feed.events(H1Parser.forRequests(options), input), input);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(status, e.status());
        HttpParseException e1 = assertThrows(HttpParseException.class,
                () -> Feed.oneByteAtATime(H1Parser.forRequests(options), input), input);
        assertEquals(code, e1.code(), "byte by byte: " + e1.getMessage());
        return e;
    }

    static HttpParseException refused(String input, String code, int status) {
        return refused(H1Options.DEFAULT, input, code, status);
    }

    // ---- request line

    @Test
    void simpleGet() {
        assertEquals(List.of("HEAD GET /index.html?q=1 HTTP/1.1 [Host: a.example]", "END []"),
                parse("GET /index.html?q=1 HTTP/1.1\r\nHost: a.example\r\n\r\n"));
    }

    @Test
    void commonMethodsAndHeaderNamesAreShared() {
        H1Parser p = parser();
        assertEquals(H1Parser.Event.HEAD, p.next(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nHost: a\r\ncontent-type: x\r\n\r\n"))));
        assertSame(Method.GET, p.requestHead().method());
        assertSame("Host", p.requestHead().headers().name(0));
        assertSame("content-type", p.requestHead().headers().name(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"M-SEARCH", "PROPFIND", "FOO", "get", "X!#$%&'*+-.^_`|~9"})
    void anyTokenIsAMethod(String method) {
        assertEquals(List.of("HEAD " + method + " / HTTP/1.1 []", "END []"), parse(method + " / HTTP/1.1\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GE(T / HTTP/1.1", "GET\t/ HTTP/1.1", " GET / HTTP/1.1", "GET"})
    void aMethodThatIsNotATokenIsRefused(String line) {
        refused(line + "\r\n\r\n", "BAD_METHOD", 400);
    }

    @Test
    void theFourTargetForms() {
        assertEquals("HEAD GET http://a.example:8080/p?q HTTP/1.1 []",
                parse("GET http://a.example:8080/p?q HTTP/1.1\r\n\r\n").get(0));
        assertEquals("HEAD OPTIONS * HTTP/1.1 []", parse("OPTIONS * HTTP/1.1\r\n\r\n").get(0));
        assertEquals(List.of("HEAD CONNECT a.example:443 HTTP/1.1 []", "UPGRADE@34"),
                parse("CONNECT a.example:443 HTTP/1.1\r\n\r\ntunnel bytes"));
        assertEquals("HEAD CONNECT [::1]:443 HTTP/1.1 []", parse("CONNECT [::1]:443 HTTP/1.1\r\n\r\n").get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET * HTTP/1.1", "CONNECT /x HTTP/1.1", "CONNECT a.example HTTP/1.1",
        "CONNECT a.example:x HTTP/1.1", "CONNECT user@a:443 HTTP/1.1", "GET a.b/c HTTP/1.1", "GET ?x HTTP/1.1",
        "GET /a\u00e9 HTTP/1.1", "GET /a\u0001b HTTP/1.1", "GET  / HTTP/1.1"})
    void aTargetInTheWrongFormIsRefused(String line) {
        refused(line + "\r\n\r\n", "BAD_TARGET", 400);
    }

    @Test
    void versions() {
        H1Parser p = parser();
        p.next(ByteBuffer.wrap(bytes("GET / HTTP/1.0\r\n\r\n")));
        assertEquals(HttpVersion.HTTP_1_0, p.requestHead().version());
        refused("GET / HTTP/2.0\r\n\r\n", "UNSUPPORTED_VERSION", 505);
        refused("GET / HTTP/1.2\r\n\r\n", "UNSUPPORTED_VERSION", 505);
        refused("GET / HTTP/0.9\r\n\r\n", "UNSUPPORTED_VERSION", 505);
        for (String v : new String[] {"HTTP/1.1 ", "http/1.1", "HTTP/1.10", "HTTP/11", "HTTPS/1.1", "HTTP/1.x"}) {
            refused("GET / " + v + "\r\n\r\n", "BAD_VERSION", 400);
        }
        refused("GET /\r\n\r\n", "BAD_REQUEST_LINE", 400);
    }

    @Test
    void emptyLinesBeforeARequestAreIgnored() {
        assertEquals(List.of("HEAD GET / HTTP/1.1 []", "END []"), parse("\r\n\r\nGET / HTTP/1.1\r\n\r\n"));
    }

    // ---- headers

    @Test
    void headersKeepOrderCaseAndDuplicatesAndLoseSurroundingWhitespace() {
        H1Parser p = parser();
        p.next(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nX-A: 1\r\nx-b:2\r\nX-a: \t 3 \t\r\nEmpty:\r\nSp: a  b\r\n\r\n")));
        var h = p.requestHead().headers();
        assertEquals("[X-A: 1, x-b: 2, X-a: 3, Empty: , Sp: a  b]", h.toString());
        assertEquals(List.of("1", "3"), h.getAll("x-a"));
        assertEquals("2", h.get("X-B"));
        assertEquals("", h.get("empty"));
    }

    @Test
    void obsTextInValuesIsKept() {
        assertEquals("HEAD GET / HTTP/1.1 [City: D\u00c3\u00bcsseldorf]",
                parse("GET / HTTP/1.1\r\nCity: D\u00c3\u00bcsseldorf\r\n\r\n").get(0));
    }

    @Test
    void obsFoldIsRefused() {
        refused("GET / HTTP/1.1\r\nA: b\r\n  c\r\n\r\n", "OBS_FOLD", 400);
        refused("GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", "OBS_FOLD", 400);
    }

    @Test
    void whitespaceBeforeTheFirstFieldIsRefused() {
        refused("GET / HTTP/1.1\r\n Host: a\r\n\r\n", "WHITESPACE_AFTER_START_LINE", 400);
    }

    @Test
    void whitespaceBeforeTheColonIsRefused() {
        refused("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "WHITESPACE_BEFORE_COLON", 400);
        refused("GET / HTTP/1.1\r\nContent-Length\t: 0\r\n\r\n", "WHITESPACE_BEFORE_COLON", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Ho\u0000st: a", "Ho\u0001st: a", "Ho@st: a", "Ho\u00e9st: a", ": a", "H(ost): a"})
    void invalidFieldNamesAreRefused(String line) {
        refused("GET / HTTP/1.1\r\n" + line + "\r\n\r\n", "BAD_FIELD_NAME", 400);
    }

    @Test
    void aFieldLineWithoutColonIsRefused() {
        refused("GET / HTTP/1.1\r\nHost\r\n\r\n", "MISSING_COLON", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "\u0001", "\u000c", "\u001f", "\u007f"})
    void controlCharactersInValuesAreRefused(String c) {
        refused("GET / HTTP/1.1\r\nA: x" + c + "y\r\n\r\n", "BAD_FIELD_VALUE", 400);
    }

    @Test
    void theRelaxedValueLeniencyAcceptsControlsButNotNul() {
        H1Options relaxed = H1Options.builder().allow(H1Options.Leniency.CONTROL_CHARS_IN_FIELD_VALUES).build();
        assertEquals("HEAD GET / HTTP/1.1 [A: x\u000cy]", parse(relaxed, "GET / HTTP/1.1\r\nA: x\u000cy\r\n\r\n").get(0));
        refused(relaxed, "GET / HTTP/1.1\r\nA: x\u0000y\r\n\r\n", "BAD_FIELD_VALUE", 400);
    }

    // ---- line ends

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\rHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", "\rGET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\r\n\r\n"})
    void aBareCrIsRefused(String input) {
        refused(input, "BARE_CR", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\n", "\nGET / HTTP/1.1\r\n\r\n"})
    void aBareLfIsRefusedUnlessAllowed(String input) {
        refused(input, "BARE_LF", 400);
        H1Options lf = H1Options.builder().allow(H1Options.Leniency.BARE_LF_LINE_ENDS).build();
        assertEquals("END []", parse(lf, input).get(1));
    }

    // ---- Content-Length

    @Test
    void contentLengthBodyIsASliceOfTheInput() {
        ByteBuffer in = ByteBuffer.wrap(bytes("POST /u HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET"));
        H1Parser p = parser();
        assertEquals(H1Parser.Event.HEAD, p.next(in));
        assertEquals(5, p.contentLength());
        assertEquals(H1Parser.Event.BODY, p.next(in));
        ByteBuffer body = p.body();
        assertSame(in.array(), body.array(), "a view, not a copy");
        assertEquals(in.position() - 5, body.arrayOffset());
        assertEquals(5, body.remaining());
        assertEquals(H1Parser.Event.END, p.next(in));
        assertEquals(H1Parser.Event.NEED_DATA, p.next(in));
        assertFalse(in.hasRemaining());
    }

    @Test
    void aBodySplitAcrossReadsComesInSlices() {
        assertEquals(List.of("HEAD POST / HTTP/1.1 [Content-Length: 10]", "BODY 0123456789", "END []"),
                Feed.events(parser(), List.of(bytes("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n012"), bytes("3456"),
                        bytes("789"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+5", "-1", "5 5", "0x5", "5,5", "", "1e3", "\u0665"})
    void aContentLengthThatIsNotDigitsIsRefused(String value) {
        refused("POST / HTTP/1.1\r\nContent-Length: " + value + "\r\n\r\n", "BAD_CONTENT_LENGTH", 400);
    }

    @Test
    void contentLengthOverflowIsRefused() {
        refused("POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n", "CONTENT_LENGTH_OVERFLOW", 400);
        H1Parser p = parser();
        p.next(ByteBuffer.wrap(bytes("POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n")));
        assertEquals(Long.MAX_VALUE, p.contentLength());
    }

    @Test
    void differingContentLengthsAreRefusedIdenticalOnesFolded() {
        refused("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "DUPLICATE_CONTENT_LENGTH", 400);
        assertEquals(List.of("HEAD POST / HTTP/1.1 [Content-Length: 2, content-length: 02]", "BODY ab", "END []"),
                parse("POST / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 02\r\n\r\nab"));
    }

    @Test
    void contentLengthWithTransferEncodingIsRefused() {
        refused("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "CONTENT_LENGTH_WITH_TRANSFER_ENCODING", 400);
        refused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
                "CONTENT_LENGTH_WITH_TRANSFER_ENCODING", 400);
    }

    // ---- Transfer-Encoding and chunks

    @Test
    void chunkedBodyWithExtensionsAndTrailers() {
        String in = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;a=b;c;q=\"x \\\"y\\\"; z\"\r\nhello\r\nA\r\n, world!!!\r\n000\r\nTrailer-A: 1\r\nT-B: 2\r\n\r\n";
        assertEquals(List.of("HEAD POST / HTTP/1.1 [Transfer-Encoding: chunked]", "BODY hello, world!!!",
                "END [Trailer-A: 1, T-B: 2]"), parse(in));
        H1Parser p = parser();
        ByteBuffer b = ByteBuffer.wrap(bytes(in));
        p.next(b);
        assertTrue(p.isChunked());
        assertEquals(-1, p.contentLength());
        p.next(b);
        assertEquals(";a=b;c;q=\"x \\\"y\\\"; z\"", p.chunkExtensions());
    }

    @Test
    void chunkedMayFollowOtherCodingsInARequest() {
        assertEquals(List.of("HEAD POST / HTTP/1.1 [Transfer-Encoding: gzip, Transfer-Encoding: chunked]", "BODY ab",
                "END []"), parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "chunked, gzip", "chunked, chunked", "identity", "chunkedchunked", "", "chunked;x=1",
        "chu nked", "chunked, \"x\""})
    void aRequestWhoseFinalCodingIsNotChunkedIsRefused(String te) {
        refused("POST / HTTP/1.1\r\nTransfer-Encoding: " + te + "\r\n\r\n0\r\n\r\n", "BAD_TRANSFER_ENCODING", 400);
    }

    @Test
    void chunkedTwiceAcrossFieldsIsRefused() {
        refused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "BAD_TRANSFER_ENCODING", 400);
    }

    @Test
    void transferEncodingInHttp10IsRefused() {
        refused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "TRANSFER_ENCODING_IN_HTTP_1_0", 400);
    }

    static final String CHUNKED = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";

    @ParameterizedTest
    @ValueSource(strings = {"\r\n", "x\r\n", "-1\r\n", " 5\r\n", "5 \r\n", "5\t\r\n", "0x5\r\n", "5,\r\n"})
    void malformedChunkSizesAreRefused(String line) {
        refused(CHUNKED + line + "hello\r\n0\r\n\r\n", "BAD_CHUNK_SIZE", 400);
    }

    @Test
    void chunkSizeOverflowIsRefused() {
        refused(CHUNKED + "8000000000000000\r\n", "CHUNK_SIZE_OVERFLOW", 400);
        refused(CHUNKED + "00000000000000000000000000000000000001000000000000000000\r\n", "CHUNK_SIZE_OVERFLOW", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5;\r\n", "5;;a\r\n", "5;a=\r\n", "5;a=\"b\r\n", "5;a=b c\r\n", "5;a b\r\n", "5;=b\r\n",
        "5;a=\"b\"c\r\n", "5;a=\"\u0001\"\r\n", "5; a\r\n"})
    void malformedChunkExtensionsAreRefused(String line) {
        refused(CHUNKED + line + "hello\r\n0\r\n\r\n", "BAD_CHUNK_EXTENSION", 400);
    }

    @Test
    void spacesInChunkLinesOnlyWithTheLeniency() {
        H1Options spaces = H1Options.builder().allow(H1Options.Leniency.SPACES_IN_CHUNK_LINES).build();
        assertEquals("BODY hello", parse(spaces, CHUNKED + "5 ; a = b \r\nhello\r\n0\r\n\r\n").get(1));
    }

    @Test
    void chunkDataMustEndWithCrlf() {
        refused(CHUNKED + "5\r\nhelloX\r\n0\r\n\r\n", "MISSING_CHUNK_CRLF", 400);
        refused(CHUNKED + "5\r\nhello\rX0\r\n\r\n", "BARE_CR", 400);
        refused(CHUNKED + "5\r\nhello\n0\r\n\r\n", "MISSING_CHUNK_CRLF", 400);
    }

    @Test
    void trailersFollowTheFieldRules() {
        refused(CHUNKED + "0\r\nA : b\r\n\r\n", "WHITESPACE_BEFORE_COLON", 400);
        refused(CHUNKED + "0\r\nA: b\r\n c\r\n\r\n", "OBS_FOLD", 400);
        // A Content-Length among the trailers does not change the framing.
        assertEquals("END [Content-Length: 99]", parse(CHUNKED + "0\r\nContent-Length: 99\r\n\r\n").get(1));
    }

    // ---- limits

    @Test
    void aRequestLineOverTheLimitIsRefusedWith414BeforeItEnds() {
        String longTarget = "/" + "a".repeat(8200);
        HttpParseException e = assertThrows(HttpParseException.class,
                () -> parser().next(ByteBuffer.wrap(bytes("GET " + longTarget))));
        assertEquals("REQUEST_LINE_TOO_LONG", e.code());
        assertEquals(414, e.status());
        // Exactly at the limit is fine.
        String atLimit = "GET /" + "a".repeat(8192 - "GET / HTTP/1.1".length()) + " HTTP/1.1";
        assertEquals(8192, atLimit.length());
        assertEquals("END []", parse(atLimit + "\r\n\r\n").get(1));
    }

    @Test
    void aHeaderLineOverTheLimitIsRefusedWith431() {
        refused("GET / HTTP/1.1\r\nA: " + "x".repeat(8190) + "\r\n\r\n", "HEADER_LINE_TOO_LONG", 431);
        assertEquals("END []", parse("GET / HTTP/1.1\r\nA: " + "x".repeat(8189) + "\r\n\r\n").get(1));
    }

    @Test
    void moreThanTheMostHeadersIsRefusedWith431() {
        StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 100; i++) {
            sb.append("H").append(i).append(": v\r\n");
        }
        assertEquals("END []", parse(sb + "\r\n").get(1));
        refused(sb + "One-More: v\r\n\r\n", "TOO_MANY_HEADERS", 431);
    }

    @Test
    void aHeadOverItsSizeIsRefusedWith431() {
        H1Options small = H1Options.builder().maxHeadSize(100).build();
        refused(small, "GET / HTTP/1.1\r\n" + "A: b\r\n".repeat(20) + "\r\n", "HEAD_TOO_LARGE", 431);
        // Empty lines before the request count too: an endless stream of CRLFs is a flood.
        refused(small, "\r\n".repeat(60), "HEAD_TOO_LARGE", 431);
    }

    @Test
    void eachHeadHasItsOwnSizeBudget() {
        H1Options small = H1Options.builder().maxHeadSize(100).build();
        String chunkedWithTrailers = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: " + "x".repeat(60) + "\r\n\r\n";
        String next = "GET /" + "y".repeat(60) + " HTTP/1.1\r\n\r\n";
        assertEquals(4, parse(small, chunkedWithTrailers + next).size(), "the trailers' bytes do not count against the next head");
    }

    @Test
    void aChunkLineOverItsLimitIsRefused() {
        refused(CHUNKED + "5;a=" + "b".repeat(5000) + "\r\n", "CHUNK_LINE_TOO_LONG", 400);
    }

    @Test
    void contentLengthIsReportedBeforeTheBodyLimitRefusesIt() {
        H1Parser p = H1Parser.forRequests(H1Options.builder().maxBodySize(10).build());
        ByteBuffer in = ByteBuffer.wrap(bytes("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n01234567890"));
        assertEquals(H1Parser.Event.HEAD, p.next(in));
        assertEquals(11, p.contentLength(), "known up front, so a server can answer 413 itself");
        HttpParseException e = assertThrows(HttpParseException.class, () -> p.next(in));
        assertEquals(413, e.status());
        assertEquals("BODY_TOO_LARGE", e.code());
    }

    @Test
    void theBodyLimitHookChangesOneMessagesLimit() {
        H1Parser p = H1Parser.forRequests(H1Options.builder().maxBodySize(10).build());
        ByteBuffer in = ByteBuffer.wrap(bytes("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n01234567890"
                + "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n01234567890"));
        assertEquals(H1Parser.Event.HEAD, p.next(in));
        p.bodyLimit(11);
        assertEquals(H1Parser.Event.BODY, p.next(in));
        assertEquals(H1Parser.Event.END, p.next(in));
        assertEquals(H1Parser.Event.HEAD, p.next(in));
        assertThrows(HttpParseException.class, () -> p.next(in), "the next message has the default limit again");
    }

    @Test
    void aChunkedBodyIsCountedAsItStreams() {
        H1Parser p = H1Parser.forRequests(H1Options.builder().maxBodySize(8).build());
        ByteBuffer in = ByteBuffer.wrap(bytes(CHUNKED + "5\r\nhello\r\n4\r\nxxxx\r\n0\r\n\r\n"));
        assertEquals(H1Parser.Event.HEAD, p.next(in));
        assertEquals(H1Parser.Event.BODY, p.next(in));
        HttpParseException e = assertThrows(HttpParseException.class, () -> p.next(in));
        assertEquals(413, e.status());
        assertEquals(CHUNKED.length() + 13, e.offset(), "refused just after the size line that passes the limit");
    }

    // ---- connection management

    @Test
    void expectContinueIsAFlag() {
        H1Parser p = parser();
        p.next(ByteBuffer.wrap(bytes("PUT / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n")));
        assertTrue(p.expectContinue());
        H1Parser q = parser();
        q.next(ByteBuffer.wrap(bytes("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")));
        assertFalse(q.expectContinue(), "HTTP/1.0 has no 100-continue");
        H1Parser r = parser();
        r.next(ByteBuffer.wrap(bytes("PUT / HTTP/1.1\r\nContent-Length: 1\r\n\r\n")));
        assertFalse(r.expectContinue());
    }

    @ParameterizedTest
    @CsvSource({"HTTP/1.1,,true", "HTTP/1.1,close,false", "HTTP/1.1,'keep-alive, Close',false",
        "HTTP/1.1,'foo,  close ,bar',false", "HTTP/1.0,,false", "HTTP/1.0,keep-alive,true", "HTTP/1.0,Keep-Alive,true",
        "HTTP/1.1,closed,true"})
    void keepAliveDecision(String version, String connection, boolean keepAlive) {
        H1Parser p = parser();
        p.next(ByteBuffer.wrap(bytes("GET / " + version + "\r\n" + (connection == null ? "" : "Connection: " + connection + "\r\n") + "\r\n")));
        assertEquals(keepAlive, p.keepAlive());
    }

    @Test
    void pipelinedRequestsStopAtEachEnd() {
        ByteBuffer in = ByteBuffer.wrap(bytes("GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 2\r\n\r\nokGET /3 HTTP/1.1\r\n\r\n"));
        H1Parser p = parser();
        assertEquals(H1Parser.Event.HEAD, p.next(in));
        assertEquals(H1Parser.Event.END, p.next(in));
        assertEquals(19, in.position(), "stops at the message's end");
        assertEquals(List.of("HEAD POST /2 HTTP/1.1 [Content-Length: 2]", "BODY ok", "END []", "HEAD GET /3 HTTP/1.1 []", "END []"),
                Feed.events(p, List.of(bytes(new String(in.array(), 19, in.remaining(), java.nio.charset.StandardCharsets.ISO_8859_1)))));
    }

    @Test
    void afterAClosingMessageTheRestIsLeftUnread() {
        ByteBuffer in = ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET /evil HTTP/1.1\r\n\r\n"));
        H1Parser p = parser();
        assertEquals(H1Parser.Event.HEAD, p.next(in));
        assertEquals(H1Parser.Event.END, p.next(in));
        int at = in.position();
        assertEquals(H1Parser.Event.CLOSED, p.next(in));
        assertEquals(H1Parser.Event.CLOSED, p.next(in));
        assertEquals(at, in.position());
    }

    @Test
    void anUpgradeRequestStopsAfterItsBody() {
        String in = "POST /ws HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nContent-Length: 2\r\n\r\nhi\u0081\u0000";
        assertEquals(List.of("HEAD POST /ws HTTP/1.1 [Connection: keep-alive, Upgrade, Upgrade: websocket, Content-Length: 2]",
                "BODY hi", "UPGRADE@" + (in.length() - 2)), parse(in));
        // Upgrade without "Connection: upgrade" is an ordinary request.
        assertEquals(List.of("HEAD GET / HTTP/1.1 [Upgrade: websocket]", "END []"), parse("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"));
    }

    @Test
    void aDeclinedUpgradeContinuesAsHttp() {
        ByteBuffer in = ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"));
        H1Parser p = parser();
        assertEquals(H1Parser.Event.HEAD, p.next(in));
        assertTrue(p.isUpgrade());
        assertEquals(H1Parser.Event.UPGRADE, p.next(in));
        assertEquals(H1Parser.Event.UPGRADE, p.next(in), "stays stopped until told");
        p.resumeHttp();
        assertEquals(H1Parser.Event.HEAD, p.next(in));
        assertEquals("/2", p.requestHead().target());
    }

    // ---- end of input and failure

    @Test
    void endOfInputBetweenMessagesIsClean() {
        H1Parser p = parser();
        Feed.events(p, "GET / HTTP/1.1\r\n\r\n\r\n");
        assertFalse(p.endOfInput());
        assertEquals(H1Parser.Event.CLOSED, p.next(ByteBuffer.allocate(0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"G", "GET / HTTP/1.1\r", "GET / HTTP/1.1\r\nHost: a\r\n", "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab",
        CHUNKED + "5\r\nhel", CHUNKED + "0\r\n", CHUNKED + "5\r\nhello\r\n0\r\n\r"})
    void endOfInputInsideAMessageIsRefused(String input) {
        H1Parser p = parser();
        Feed.events(p, input);
        HttpParseException e = assertThrows(HttpParseException.class, p::endOfInput);
        assertEquals("INCOMPLETE_MESSAGE", e.code());
    }

    @Test
    void aFailedParserStaysFailed() {
        H1Parser p = parser();
        HttpParseException e = assertThrows(HttpParseException.class,
                () -> p.next(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nA : b\r\n\r\n"))));
        assertSame(e, assertThrows(HttpParseException.class, () -> p.next(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\n\r\n")))));
        assertSame(e, assertThrows(HttpParseException.class, p::endOfInput));
        assertEquals(23, e.offset(), "just after the refused line");
    }
}
