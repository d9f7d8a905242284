package io.jasyncio.http.internal.h1;

import static io.jasyncio.http.internal.h1.Feed.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.http.HttpParseException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The response parser: status lines, the body rules that depend on the status and the request method, read-until-close. */
@Timeout(30)
class H1ResponseParserTest {

    static List<String> parse(String requestMethod, String input) {
        H1Parser whole = H1Parser.forResponses(H1Options.DEFAULT);
        H1Parser bytewise = H1Parser.forResponses(H1Options.DEFAULT);
        if (requestMethod != null) {
            whole.expectResponseTo(requestMethod);
            bytewise.expectResponseTo(requestMethod);
        }
        List<String> events = Feed.events(whole, input);
        assertEquals(events, Feed.oneByteAtATime(bytewise, input), "one byte at a time");
        return events;
    }

    static List<String> parse(String input) {
        return parse(null, input);
    }

    static void refused(String input, String code) {
        HttpParseException e = assertThrows(HttpParseException.class,
                () -> Feed.events(H1Parser.forResponses(H1Options.DEFAULT), input));
        assertEquals(code, e.code(), e.getMessage());
    }

    @Test
    void statusLines() {
        assertEquals("HEAD HTTP/1.1 200 OK []", parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").get(0).replace("[Content-Length: 0]", "[]"));
        assertEquals("HEAD HTTP/1.1 301  []", parse("HTTP/1.1 301\r\n\r\n").get(0), "no reason, no space");
        assertEquals("HEAD HTTP/1.1 200  []", parse("HTTP/1.1 200 \r\n\r\n").get(0), "empty reason");
        assertEquals("HEAD HTTP/1.0 599 Odd\tbut fine \u00e9 []", parse("HTTP/1.0 599 Odd\tbut fine \u00e9\r\n\r\n").get(0));
        for (String bad : new String[] {"HTTP/1.1 20 OK", "HTTP/1.1  200 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 099 OK",
            "HTTP/1.1\t200 OK", "HTTP/1.1 200\tOK", "HTTP/1.1 abc OK", "HTTP/1.1 200 O\u0001K"}) {
            refused(bad + "\r\n\r\n", "BAD_STATUS_LINE");
        }
        refused("HTTP/2.0 200 OK\r\n\r\n", "UNSUPPORTED_VERSION");
        refused("HTTP/1.1x200 OK\r\n\r\n", "BAD_STATUS_LINE");
        refused("HTP/1.1 200 OK\r\n\r\n", "BAD_VERSION");
    }

    @Test
    void contentLengthAndChunkedBodies() {
        assertEquals(List.of("HEAD HTTP/1.1 200 OK [Content-Length: 5]", "BODY hello", "END []",
                "HEAD HTTP/1.1 200 OK [Transfer-Encoding: chunked]", "BODY hi", "END [X: y]"),
                parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                        + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX: y\r\n\r\n"));
    }

    @Test
    void withoutFramingTheBodyRunsToTheClose() {
        H1Parser p = H1Parser.forResponses(H1Options.DEFAULT);
        assertEquals(List.of("HEAD HTTP/1.1 200 OK []", "BODY all of it"), Feed.events(p, "HTTP/1.1 200 OK\r\n\r\nall of it"));
        assertTrue(p.readsUntilClose());
        assertFalse(p.keepAlive());
        assertEquals(-1, p.contentLength());
        assertTrue(p.endOfInput(), "the close completes the message");
        assertEquals(H1Parser.Event.CLOSED, p.next(ByteBuffer.allocate(0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "chunked, gzip", "chunkedchunked"})
    void aResponseWhoseFinalCodingIsNotChunkedRunsToTheClose(String te) {
        H1Parser p = H1Parser.forResponses(H1Options.DEFAULT);
        assertEquals("BODY 2\r\nhi\r\n0\r\n\r\n",
                Feed.events(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + te + "\r\n\r\n2\r\nhi\r\n0\r\n\r\n").get(1));
        assertTrue(p.readsUntilClose());
    }

    @Test
    void contentLengthWithTransferEncodingIsRefusedInResponsesToo() {
        refused("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", "CONTENT_LENGTH_WITH_TRANSFER_ENCODING");
    }

    @Test
    void anAnswerToHeadHasNoBody() {
        assertEquals(List.of("HEAD HTTP/1.1 200 OK [Content-Length: 5]", "END []",
                "HEAD HTTP/1.1 200 OK [Content-Length: 2]", "BODY ok", "END []"),
                parse("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
                "the method applies to one response: the next answers a GET");
    }

    @ParameterizedTest
    @ValueSource(ints = {204, 304})
    void noContentAndNotModifiedHaveNoBody(int status) {
        assertEquals(List.of("HEAD HTTP/1.1 " + status + " X [Content-Length: 10]", "END []", "HEAD HTTP/1.1 200 OK [Content-Length: 0]", "END []"),
                parse("HTTP/1.1 " + status + " X\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    }

    @Test
    void interimResponsesComeBeforeTheFinalOneAndKeepTheMethod() {
        assertEquals(List.of("HEAD HTTP/1.1 100 Continue []", "END []", "HEAD HTTP/1.1 103 Early Hints [Link: </a>]", "END []",
                "HEAD HTTP/1.1 200 OK [Content-Length: 3]", "END []"),
                parse("HEAD", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"));
    }

    @Test
    void switchingProtocolsStopsAfterTheHead() {
        String head = "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\nContent-Length: 4\r\n\r\n";
        assertEquals(List.of("HEAD HTTP/1.1 101 Switching Protocols [Connection: upgrade, Upgrade: websocket, Content-Length: 4]",
                "UPGRADE@" + head.length()), parse(head + "\u0081\u0005hello"));
    }

    @Test
    void aSuccessfulConnectOpensATunnel() {
        assertEquals(List.of("HEAD HTTP/1.1 200 Connection established []", "UPGRADE@39"),
                parse("CONNECT", "HTTP/1.1 200 Connection established\r\n\r\ntunnel"));
        assertEquals(List.of("HEAD HTTP/1.1 407 Auth [Content-Length: 1]", "BODY x", "END []"),
                parse("CONNECT", "HTTP/1.1 407 Auth\r\nContent-Length: 1\r\n\r\nx"));
    }

    @Test
    void keepAliveOfResponses() {
        H1Parser p = H1Parser.forResponses(H1Options.DEFAULT);
        assertEquals(List.of("HEAD HTTP/1.0 200 OK [Connection: keep-alive, Content-Length: 0]", "END []", "HEAD HTTP/1.0 200 OK [Content-Length: 0]",
                "END []", "CLOSED"),
                Feed.events(p, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"
                        + "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.0 200 OK\r\n\r\n"));
    }

    @Test
    void endOfInputInsideAResponseIsRefused() {
        H1Parser p = H1Parser.forResponses(H1Options.DEFAULT);
        Feed.events(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
        assertEquals("INCOMPLETE_MESSAGE", assertThrows(HttpParseException.class, p::endOfInput).code());
    }
}
