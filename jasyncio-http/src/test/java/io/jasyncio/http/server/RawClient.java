package io.jasyncio.http.server;

import io.jasyncio.Asyncio;
import io.jasyncio.http.Headers;
import io.jasyncio.http.internal.h1.H1Options;
import io.jasyncio.http.internal.h1.H1Parser;
import io.jasyncio.streams.StreamConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A test client on the loop's own streams: sends raw bytes, reads responses through the response parser. */
final class RawClient implements AutoCloseable {
    record Resp(int status, Headers headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    final StreamConnection conn;
    private final H1Parser parser = H1Parser.forResponses(H1Options.DEFAULT);
    private ByteBuffer in = ByteBuffer.allocate(0);
    private boolean eof;

    private RawClient(StreamConnection conn) {
        this.conn = conn;
    }

    static RawClient open(int port) throws IOException {
        return new RawClient(Asyncio.openConnection("127.0.0.1", port));
    }

    RawClient send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] raw) throws IOException {
        conn.writer().write(raw);
        conn.writer().drain();
        return this;
    }

    /** Reads bytes until the server closes; returns them. */
    byte[] readToEof() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] rest = new byte[in.remaining()];
        in.get(rest);
        out.write(rest);
        for (;;) {
            byte[] b = conn.reader().read(65536);
            if (b.length == 0) {
                eof = true;
                return out.toByteArray();
            }
            out.write(b);
        }
    }

    /** Whether the server closed the connection (reads what is left first, which must be nothing). */
    boolean closedByServer() throws IOException {
        return readToEof().length == 0;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        byte[] b = conn.reader().read(65536);
        if (b.length == 0) {
            eof = true;
            return false;
        }
        ByteBuffer n = ByteBuffer.allocate(in.remaining() + b.length);
        n.put(in).put(b).flip();
        in = n;
        return true;
    }

    /** Reads one final response to a request of {@code method} (skipping a 100 Continue unless {@code keepInterim}). */
    Resp read(String method) throws IOException {
        return read(method, false);
    }

    Resp read(String method, boolean keepInterim) throws IOException {
        parser.expectResponseTo(method);
        int status = 0;
        Headers headers = null;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (;;) {
            H1Parser.Event e = parser.next(in);
            switch (e) {
                case NEED_DATA -> {
                    if (!fill()) {
                        if (parser.endOfInput()) {
                            return new Resp(status, headers, body.toByteArray());
                        }
                        throw new IOException("the server closed before a response");
                    }
                }
                case HEAD -> {
                    status = parser.responseHead().status();
                    headers = parser.responseHead().headers();
                }
                case BODY -> {
                    ByteBuffer b = parser.body();
                    byte[] x = new byte[b.remaining()];
                    b.get(x);
                    body.write(x);
                }
                case END, UPGRADE -> {
                    if (status < 200 && !keepInterim) {
                        parser.expectResponseTo(method);
                        continue;
                    }
                    return new Resp(status, headers, body.toByteArray());
                }
                case CLOSED -> throw new IOException("response after a closing one");
            }
        }
    }

    Resp get(String path) throws IOException {
        send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
        return read("GET");
    }

    @Override
    public void close() {
        conn.close();
    }
}
