package io.jasyncio.http.internal.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jasyncio.http.Headers;
import io.jasyncio.http.HttpParseException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every case of the llhttp corpus (src/test/resources/io/jasyncio/http/llhttp, see its
 * README.md) through {@link H1Parser}, whole and one byte at a time, and compares the verdict and
 * every message: method, target, version, status, reason, headers, body, trailers, completeness
 * and the upgrade offset. Where this parser legitimately differs from llhttp the case is listed
 * in {@link #EXCEPTIONS} with the reason; any other difference fails, and so does an exception
 * that is no longer needed.
 */
@Timeout(60)
class LlhttpCorpusTest {

    /** Why this parser may disagree with llhttp: each reason is a category of the corpus README. */
    enum Why {
        LLHTTP_SPECIFIC("llhttp-specific: RTSP/ICE start lines, the HTTP/0.9 'GET /' line, the HTTP/2 preface, llhttp's fixed method list"),
        ONLY_HTTP_1_X("only HTTP/1.0 and 1.1 are spoken: another well-formed version is refused (505)"),
        LENIENT_REFUSED("a leniency of llhttp this parser does not offer (smuggling-relevant): strict refuses"),
        DATA_AFTER_CLOSE("data after a message that closes the connection: llhttp errors, this parser stops (CLOSED) and leaves it unread"),
        ASTERISK_FORM("asterisk-form outside OPTIONS is refused (RFC 9112 section 3.2.4)"),
        TE_IN_HTTP_1_0("Transfer-Encoding in an HTTP/1.0 message is refused as faulty framing (RFC 9112 section 6.1)");

        final String text;

        Why(String text) {
            this.text = text;
        }
    }

    static final Map<String, Why> EXCEPTIONS = new TreeMap<>();

    static {
        except(Why.LLHTTP_SPECIFIC,
                "request/sample/no-http-version",
                "request/method/source-request-with-ice",
                "request/method/options-request-with-rtsp",
                "request/method/announce-request-with-rtsp",
                "request/method/pri-request-http2",
                "request/invalid/http-protocol-and-announce-method",
                "request/invalid/invalid-method",
                "response/sample/rtsp-response",
                "response/sample/ice-response");
        except(Why.ONLY_HTTP_1_X,
                "response/sample/http-version-0-9");
        except(Why.ASTERISK_FORM,
                "request/method/m-search-request");
        except(Why.DATA_AFTER_CLOSE,
                "request/connection/no-restart-when-keep-alive-is-off-1-0",
                "request/connection/crlf-between-requests-explicit-close",
                "request/connection/crlf-between-requests-explicit-close-followed-by-tab",
                "request/connection/resetting-flags-when-keep-alive-is-off-1-0-lenient",
                "response/connection/http-1-1-with-keep-alive-disabled-and-204-status",
                "response/connection/http-1-1-with-keep-alive-disabled-content-length");
        except(Why.LENIENT_REFUSED,
                // obs-fold, whitespace before the colon, control characters (llhttp's "headers")
                "request/sample/line-folding-in-header-value-with-crlf",
                "request/sample/x-ssl-nonsense",
                "request/lenient-headers/header-value-lenient",
                "request/lenient-headers/second-request-header-value-lenient",
                "request/lenient-headers/empty-headers-separated-by-cr-lenient",
                "request/connection/multiple-tokens-with-folding",
                "request/connection/multiple-tokens-with-folding-lws-and-crlf",
                "request/connection/invalid-whitespace-token-with-connection-header-field-lenient",
                "request/content-length/invalid-whitespace-token-with-content-length-header-field-lenient",
                "request/invalid/spaces-before-headers-lenient",
                "response/transfer-encoding/invalid-obs-fold-after-chunked-value",
                // a bare CR as line end ("optional-lf-after-cr")
                "request/sample/no-lf-after-cr-lenient",
                "request/content-length/missing-crlf-crlf-before-body-lenient",
                "request/transfer-encoding/chunk-header-not-terminated-by-crlf-lenient",
                "request/invalid/headers-separated-by-dummy-characters-lenient",
                "response/invalid/bare-cr-after-response-line-lenient",
                // chunk data without CRLF ("optional-crlf-after-chunk")
                "request/transfer-encoding/chunk-data-not-terminated-by-crlf-lenient",
                // Content-Length with Transfer-Encoding ("chunked-length")
                "request/content-length/no-error-on-simultaneous-content-length-and-transfer-encoding-identity-lenient",
                "request/transfer-encoding/post-with-transfer-encoding-and-content-length-lenient",
                // a request whose final coding is not chunked ("transfer-encoding")
                "request/transfer-encoding/post-with-chunked-before-other-transfer-coding-lenient",
                "request/transfer-encoding/post-with-chunked-and-duplicate-transfer-encoding-lenient",
                // any digit.digit version ("version")
                "request/lenient-version/invalid-http-version-lenient",
                "response/lenient-version/invalid-http-version-lenient",
                // all of llhttp's leniencies at once ("lenient-all": bare CR and LF, no CRLF after chunks)
                "request/invalid/only-lfs-present-lenient",
                "response/invalid/only-lfs-present-and-no-body-lenient",
                "response/invalid/only-lfs-present-lenient");
    }

    private static void except(Why why, String... ids) {
        for (String id : ids) {
            if (EXCEPTIONS.put(id, why) != null) {
                throw new AssertionError("listed twice: " + id);
            }
        }
    }

    record Case(String id, JsonNode json) {
        @Override
        public String toString() {
            return id;
        }

        boolean request() {
            return id.startsWith("request/");
        }

        byte[] raw() {
            return Base64.getDecoder().decode(json.get("raw_b64").asText());
        }

        boolean noScan() {
            return json.path("no_scan").asBoolean(false);
        }
    }

    static final List<Case> CASES = load();

    static List<Case> load() {
        ObjectMapper mapper = new ObjectMapper();
        List<Case> out = new ArrayList<>();
        for (String file : List.of("requests.jsonl", "responses.jsonl")) {
            try (InputStream in = Objects.requireNonNull(
                    LlhttpCorpusTest.class.getResourceAsStream("/io/jasyncio/http/llhttp/" + file), file);
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) {
                        JsonNode j = mapper.readTree(line);
                        out.add(new Case(j.get("id").asText(), j));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    static Stream<Case> allCases() {
        return CASES.stream();
    }

    static Stream<Case> scannableCases() {
        return CASES.stream().filter(c -> !c.noScan());
    }

    // ---- running a case

    /** One message as this parser saw it. */
    static final class Msg {
        String method;
        String url;
        String version;
        int status;
        String reason;
        List<List<String>> headers = new ArrayList<>();
        List<List<String>> trailers = new ArrayList<>();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        boolean complete;

        Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", method);
            m.put("url", url);
            m.put("version", version);
            m.put("status", status);
            m.put("reason", reason);
            m.put("headers", headers);
            m.put("trailers", trailers);
            m.put("body", new String(body.toByteArray(), StandardCharsets.ISO_8859_1));
            m.put("complete", complete);
            return m;
        }
    }

    /** What the parser did with a case's bytes. */
    record Outcome(List<Msg> messages, HttpParseException error, long upgradeOffset, boolean closed,
                   Boolean eofCompleted) {
    }

    static H1Options optionsFor(Case c) {
        H1Options.Builder b = H1Options.builder();
        for (JsonNode l : c.json.get("lenient")) {
            switch (l.asText()) {
                case "optional-cr-before-lf" -> b.allow(H1Options.Leniency.BARE_LF_LINE_ENDS);
                case "header-value-relaxed" -> b.allow(H1Options.Leniency.CONTROL_CHARS_IN_FIELD_VALUES);
                case "spaces-after-chunk-size" -> b.allow(H1Options.Leniency.SPACES_IN_CHUNK_LINES);
                default -> {
                    return H1Options.DEFAULT; // a leniency we do not offer: run strict
                }
            }
        }
        return b.build();
    }

    static Outcome run(Case c, boolean oneByteAtATime) {
        H1Parser p = c.request() ? H1Parser.forRequests(optionsFor(c)) : H1Parser.forResponses(optionsFor(c));
        if (c.json.path("skip_body").asBoolean(false)) {
            p.expectResponseTo("HEAD");
        }
        byte[] raw = c.raw();
        List<ByteBuffer> pieces = new ArrayList<>();
        if (oneByteAtATime) {
            for (byte b : raw) {
                ByteBuffer bb = ByteBuffer.allocateDirect(1); // the non-array path too
                bb.put(b).flip();
                pieces.add(bb);
            }
        } else {
            pieces.add(ByteBuffer.wrap(raw));
        }
        List<Msg> msgs = new ArrayList<>();
        Msg cur = null;
        try {
            for (ByteBuffer in : pieces) {
                for (;;) {
                    H1Parser.Event ev = p.next(in);
                    switch (ev) {
                        case NEED_DATA -> {
                        }
                        case HEAD -> {
                            cur = new Msg();
                            msgs.add(cur);
                            Headers h;
                            if (c.request()) {
                                cur.method = p.requestHead().method();
                                cur.url = p.requestHead().target();
                                cur.version = p.requestHead().version().major() + "." + p.requestHead().version().minor();
                                h = p.requestHead().headers();
                            } else {
                                cur.status = p.responseHead().status();
                                cur.reason = p.responseHead().reason();
                                cur.version = p.responseHead().version().major() + "." + p.responseHead().version().minor();
                                h = p.responseHead().headers();
                            }
                            for (int i = 0; i < h.size(); i++) {
                                cur.headers.add(List.of(h.name(i), h.value(i)));
                            }
                        }
                        case BODY -> {
                            ByteBuffer b = p.body();
                            byte[] a = new byte[b.remaining()];
                            b.duplicate().get(a);
                            cur.body.write(a, 0, a.length);
                        }
                        case END -> {
                            cur.complete = true;
                            if (!c.request() && cur.status >= 200 && c.json.path("skip_body").asBoolean(false)) {
                                p.expectResponseTo("HEAD"); // every response of this case answers a HEAD
                            }
                            Headers t = p.trailers();
                            for (int i = 0; i < t.size(); i++) {
                                cur.trailers.add(List.of(t.name(i), t.value(i)));
                            }
                        }
                        case UPGRADE -> {
                            cur.complete = true;
                            return new Outcome(msgs, null, p.offset(), false, null);
                        }
                        case CLOSED -> {
                            return new Outcome(msgs, null, -1, true, null);
                        }
                    }
                    if (ev == H1Parser.Event.NEED_DATA) {
                        break;
                    }
                }
            }
            boolean finish = c.json.has("eof") || c.json.path("unterminated_head").asBoolean(false);
            Boolean completed = null;
            if (finish) {
                completed = p.endOfInput();
                if (completed) {
                    cur.complete = true;
                }
            }
            return new Outcome(msgs, null, -1, false, completed);
        } catch (HttpParseException e) {
            return new Outcome(msgs, e, -1, false, null);
        }
    }

    /** Null when the outcome agrees with llhttp's, else what differs. */
    static String disagreement(Case c, Outcome o) {
        JsonNode j = c.json;
        boolean llhttpError = j.get("verdict").asText().equals("error");
        JsonNode eof = j.get("eof");
        boolean expectError = llhttpError || (eof != null && eof.get("outcome").asText().equals("error"));
        if (expectError != (o.error != null)) {
            return expectError ? "llhttp refuses (" + j.path("error_reason").asText() + "), we accept"
                    + (o.closed ? " and stop at CLOSED" : "")
                    : "we refuse: " + o.error.code() + " " + o.error.getMessage();
        }
        List<Map<String, Object>> expected = new ArrayList<>();
        for (JsonNode m : j.path("messages")) {
            if (!m.get("headers_complete").asBoolean()) {
                continue; // a head still open: this parser reports a message at HEAD only
            }
            expected.add(expectedView(c, m, eof));
        }
        List<Map<String, Object>> actual = new ArrayList<>();
        for (Msg m : o.messages) {
            actual.add(m.view());
        }
        if (llhttpError) {
            // llhttp lists the messages completed before its error; we may have reached the head
            // of the faulty one before refusing it.
            actual.removeIf(m -> !(Boolean) m.get("complete"));
        }
        if (!expected.equals(actual)) {
            return "messages differ:\n  llhttp: " + expected + "\n  ours:   " + actual;
        }
        JsonNode up = j.get("upgrade");
        long expectedUpgrade = up == null ? -1 : up.get("offset").asLong();
        if (expectedUpgrade != o.upgradeOffset) {
            return "upgrade offset: llhttp " + expectedUpgrade + ", ours " + o.upgradeOffset;
        }
        if (o.closed && !llhttpError) {
            // We stopped at a closing message; llhttp accepted: only empty lines may follow.
            return null;
        }
        return null;
    }

    static Map<String, Object> expectedView(Case c, JsonNode m, JsonNode eof) {
        Msg e = new Msg();
        if (c.request()) {
            e.method = m.get("method").asText();
            e.url = m.get("url").asText();
        } else {
            e.status = m.get("status").asInt();
            e.reason = m.get("reason").asText();
        }
        e.version = m.get("version").asText();
        for (JsonNode h : m.path("headers")) {
            e.headers.add(List.of(h.get(0).asText(), h.get(1).asText()));
        }
        for (JsonNode h : m.path("trailers")) {
            e.trailers.add(List.of(h.get(0).asText(), h.get(1).asText()));
        }
        byte[] body = Base64.getDecoder().decode(m.path("body_b64").asText(""));
        e.body.write(body, 0, body.length);
        e.complete = m.get("complete").asBoolean()
                || (eof != null && eof.get("outcome").asText().equals("completes-message"));
        return e.view();
    }

    static void check(Case c, boolean oneByte) {
        String d = disagreement(c, run(c, oneByte));
        Why why = EXCEPTIONS.get(c.id);
        if (d != null && why == null) {
            fail(c.id + " (" + c.json.get("raw_preview").asText() + "): " + d);
        }
        if (d == null && why != null) {
            fail(c.id + " agrees with llhttp now: remove it from EXCEPTIONS (" + why + ")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void wholeInput(Case c) {
        check(c, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scannableCases")
    void oneByteAtATime(Case c) {
        check(c, true);
    }

    /** The counts reported in docs/http-parser.md; a change to the parser that moves them must update both. */
    @Test
    void counts() {
        int agree = 0;
        Map<Why, Integer> byReason = new TreeMap<>();
        StringBuilder report = new StringBuilder();
        for (Case c : CASES) {
            String d = disagreement(c, run(c, false));
            if (d == null) {
                agree++;
            } else {
                Why why = EXCEPTIONS.get(c.id);
                report.append(c.id).append(" [").append(why).append("] ").append(d).append('\n');
                if (why != null) {
                    byReason.merge(why, 1, Integer::sum);
                }
            }
        }
        System.out.println("agree " + agree + " of " + CASES.size() + "; exceptions " + byReason + "\n" + report);
        assertEquals(226, CASES.size());
        assertEquals(183, agree, "cases agreeing with llhttp (docs/http-parser.md says 183)");
        assertEquals(226 - 183, EXCEPTIONS.size());
        for (String id : EXCEPTIONS.keySet()) {
            if (CASES.stream().noneMatch(c -> c.id.equals(id))) {
                fail("no such case: " + id);
            }
        }
    }
}
