package io.jasyncio.http.internal.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jasyncio.http.Headers;
import io.jasyncio.http.HttpVersion;
import io.jasyncio.http.RequestHead;
import io.jasyncio.http.ResponseHead;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The serializer: heads, framing, chunks, trailers, and its refusal to write what would split a message. */
@Timeout(30)
class H1SerializerTest {

    static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.ISO_8859_1);
    }

    @Test
    void responseHeadWithContentLength() {
        ResponseHead h = new ResponseHead(HttpVersion.HTTP_1_1, 200, null, Headers.of("Content-Type", "text/plain", "X-A", "1"));
        ByteBuffer b = H1Serializer.encode(h, 12345);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: 1\r\nContent-Length: 12345\r\n\r\n", text(b));
        assertEquals(b.remaining(), H1Serializer.responseHeadLength(h, 12345));
    }

    @Test
    void statusLines() {
        assertEquals("HTTP/1.0 404 Not Found\r\n\r\n", text(H1Serializer.encode(new ResponseHead(HttpVersion.HTTP_1_0, 404, "Not Found", new Headers()), H1Serializer.NO_BODY)));
        assertEquals("HTTP/1.1 404 Nope\r\nContent-Length: 0\r\n\r\n", text(H1Serializer.encode(new ResponseHead(HttpVersion.HTTP_1_1, 404, "Nope", new Headers()), 0)));
        assertEquals("HTTP/1.1 299 \r\n\r\n", text(H1Serializer.encode(new ResponseHead(HttpVersion.HTTP_1_1, 299, null, new Headers()), H1Serializer.UNTIL_CLOSE)));
        assertEquals("HTTP/1.1 204 No Content\r\n\r\n", text(H1Serializer.encode(new ResponseHead(HttpVersion.HTTP_1_1, 204, null, new Headers()), H1Serializer.NO_BODY)));
        assertThrows(IllegalArgumentException.class, () -> H1Serializer.encode(new ResponseHead(HttpVersion.HTTP_1_1, 204, null, new Headers()), 0));
        assertThrows(IllegalArgumentException.class, () -> H1Serializer.encode(new ResponseHead(HttpVersion.HTTP_1_1, 200, "a\r\nX: y", new Headers()), 0));
    }

    @Test
    void requestHeadChunked() {
        RequestHead h = new RequestHead("POST", "/upload?x=1", HttpVersion.HTTP_1_1, Headers.of("Host", "a.example"));
        assertEquals("POST /upload?x=1 HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n",
                text(H1Serializer.encode(h, H1Serializer.CHUNKED)));
        assertEquals("POST /upload?x=1 HTTP/1.1\r\nHost: a.example\r\n\r\n", text(H1Serializer.encode(h, H1Serializer.NO_BODY)));
        assertThrows(IllegalArgumentException.class, () -> H1Serializer.encode(h, H1Serializer.UNTIL_CLOSE));
    }

    @Test
    void chunksAndTrailers() {
        ByteBuffer out = ByteBuffer.allocate(200);
        H1Serializer.writeChunk(out, ByteBuffer.wrap("hello".getBytes(StandardCharsets.ISO_8859_1)));
        H1Serializer.writeChunkHeader(out, 0x1ab);
        H1Serializer.writeChunkEnd(out);
        H1Serializer.writeChunk(out, ByteBuffer.allocate(0));
        H1Serializer.writeLastChunk(out, Headers.of("Digest", "x"));
        assertEquals("5\r\nhello\r\n1ab\r\n\r\n0\r\nDigest: x\r\n\r\n", text(out.flip()));
        assertEquals(3, H1Serializer.chunkHeaderLength(15));
        assertEquals(4, H1Serializer.chunkHeaderLength(16));
        assertEquals(18, H1Serializer.chunkHeaderLength(Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> H1Serializer.writeChunkHeader(ByteBuffer.allocate(10), 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nInjected: 1", "a\nb", "a\rb", "a\u0000b", "\u0100", "a\u007fb"})
    void aValueThatWouldSplitTheMessageIsRefusedAndNothingIsWritten(String value) {
        ByteBuffer out = ByteBuffer.allocate(200);
        out.put((byte) 'x');
        ResponseHead h = new ResponseHead(HttpVersion.HTTP_1_1, 200, null, Headers.of("A", "ok", "B", value));
        assertThrows(IllegalArgumentException.class, () -> H1Serializer.writeResponseHead(out, h, 0));
        assertEquals(1, out.position());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bad Name", "Bad:Name", "N\u00e9"})
    void aNameThatIsNotATokenIsRefused(String name) {
        assertThrows(IllegalArgumentException.class,
                () -> H1Serializer.encode(new ResponseHead(HttpVersion.HTTP_1_1, 200, null, Headers.of(name, "v")), 0));
    }

    @Test
    void framingHeadersComeFromTheBodyKindOnly() {
        Headers withCl = Headers.of("content-length", "3");
        assertThrows(IllegalArgumentException.class, () -> H1Serializer.encode(new ResponseHead(HttpVersion.HTTP_1_1, 200, null, withCl), 3));
        assertThrows(IllegalArgumentException.class, () -> H1Serializer.encode(
                new ResponseHead(HttpVersion.HTTP_1_1, 200, null, Headers.of("Transfer-Encoding", "gzip")), H1Serializer.CHUNKED));
        // An answer to HEAD describes the length it would have had.
        assertEquals("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n",
                text(H1Serializer.encode(new ResponseHead(HttpVersion.HTTP_1_1, 200, null, withCl), H1Serializer.NO_BODY)));
    }

    @Test
    void withoutRoomNothingIsWritten() {
        ResponseHead h = new ResponseHead(HttpVersion.HTTP_1_1, 200, null, Headers.of("A", "b"));
        ByteBuffer out = ByteBuffer.allocate(H1Serializer.responseHeadLength(h, 0) - 1);
        assertThrows(BufferOverflowException.class, () -> H1Serializer.writeResponseHead(out, h, 0));
        assertEquals(0, out.position());
    }

    @Test
    void directBuffersToo() {
        RequestHead h = new RequestHead("GET", "/", HttpVersion.HTTP_1_0, Headers.of("Host", "a"));
        ByteBuffer out = ByteBuffer.allocateDirect(100);
        H1Serializer.writeRequestHead(out, h, 0);
        assertEquals("GET / HTTP/1.0\r\nHost: a\r\nContent-Length: 0\r\n\r\n", text(out.flip()));
    }

    @Test
    void whatIsWrittenParsesBack() {
        ByteBuffer out = ByteBuffer.allocate(500);
        H1Serializer.writeRequestHead(out, new RequestHead("PUT", "/x", HttpVersion.HTTP_1_1, Headers.of("Host", "h", "X", "a\tb")), H1Serializer.CHUNKED);
        H1Serializer.writeChunk(out, ByteBuffer.wrap("data".getBytes(StandardCharsets.ISO_8859_1)));
        H1Serializer.writeLastChunk(out, Headers.of("T", "1"));
        int responseAt = out.position();
        H1Serializer.writeResponseHead(out, new ResponseHead(HttpVersion.HTTP_1_1, 201, null, new Headers()), 2);
        out.flip();
        int n = out.limit() - responseAt;
        H1Parser p = H1Parser.forRequests(H1Options.DEFAULT);
        ByteBuffer req = out.slice(0, responseAt);
        assertEquals(List.of("HEAD PUT /x HTTP/1.1 [Host: h, X: a\tb, Transfer-Encoding: chunked]", "BODY data", "END [T: 1]"),
                Feed.events(p, List.of(bytes(req))));
        assertEquals("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n", text(out.slice(responseAt, n)));
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
