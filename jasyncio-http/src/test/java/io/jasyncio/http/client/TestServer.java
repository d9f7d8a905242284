package io.jasyncio.http.client;

import io.jasyncio.Asyncio;
import io.jasyncio.net.Server;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A scriptable HTTP/1.1 server for the client's tests, on jasyncio's streams, in the test's loop:
 * it reads each request (head, then a Content-Length or chunked body; answering
 * {@code 100 Continue} first when asked unless the handler says otherwise) and lets the handler
 * write whatever bytes it likes, well-formed or not, and decide whether the connection goes on.
 */
final class TestServer implements AutoCloseable {
    /** One request as received. */
    record Req(String method, String target, Map<String, String> headers, byte[] body, int connection, int index) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Answers one request; returns false to close the connection afterwards. */
    interface Handler {
        boolean handle(Req r, StreamWriter w, StreamReader in) throws Exception;
    }

    final List<Req> requests = new ArrayList<>();
    int connections;
    int closedConnections;
    /** Whether to answer {@code Expect: 100-continue} with a 100 before reading the body. */
    boolean autoContinue = true;
    private final Handler handler;
    private Server server;

    private TestServer(Handler handler) {
        this.handler = handler;
    }

    static TestServer start(Handler handler) throws IOException {
        TestServer s = new TestServer(handler);
        s.server = Asyncio.startServer(s::serve, "127.0.0.1", 0);
        return s;
    }

    int port() {
        return server.port();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    private final List<io.jasyncio.Task<?>> handlers = new ArrayList<>();

    private void serve(StreamReader in, StreamWriter w) throws Exception {
        int conn = ++connections;
        io.jasyncio.Task<?> me = Asyncio.currentTask();
        handlers.add(me);
        try {
            for (;;) {
                byte[] headBytes;
                try {
                    headBytes = in.readUntil("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException eof) {
                    return;
                }
                String[] lines = new String(headBytes, StandardCharsets.ISO_8859_1).split("\r\n");
                String[] start = lines[0].split(" ");
                Map<String, String> headers = new LinkedHashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int c = lines[i].indexOf(':');
                    if (c > 0) {
                        headers.merge(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim(),
                                (a, b) -> a + ", " + b);
                    }
                }
                if (autoContinue && "100-continue".equalsIgnoreCase(headers.get("expect"))) {
                    w.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                byte[] body = new byte[0];
                String cl = headers.get("content-length");
                if (cl != null && autoContinue) {
                    body = in.readExactly(Integer.parseInt(cl));
                } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    for (;;) {
                        String size = new String(in.readUntil("\r\n".getBytes(StandardCharsets.ISO_8859_1)),
                                StandardCharsets.ISO_8859_1).trim();
                        int n = Integer.parseInt(size, 16);
                        if (n == 0) {
                            in.readExactly(2);
                            break;
                        }
                        out.write(in.readExactly(n));
                        in.readExactly(2);
                    }
                    body = out.toByteArray();
                }
                Req r = new Req(start[0], start[1], headers, body, conn, requests.size());
                requests.add(r);
                if (!handler.handle(r, w, in)) {
                    w.close();
                    return;
                }
                w.drain();
            }
        } catch (IOException gone) {
            // the client went away: what several fault tests do on purpose
        } finally {
            handlers.remove(me);
            closedConnections++;
        }
    }

    /** Writes a complete response with a Content-Length. */
    static void respond(StreamWriter w, int status, String body, String... headers) {
        respond(w, status, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    static void respond(StreamWriter w, int status, byte[] body, String... headers) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        sb.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        w.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        w.write(body);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        server.close();
        server.abortClients();
        for (io.jasyncio.Task<?> t : List.copyOf(handlers)) {
            t.cancel();
        }
        for (io.jasyncio.Task<?> t : List.copyOf(handlers)) {
            try {
                t.await();
            } catch (io.jasyncio.CancelledError | RuntimeException e) {
                // ended
            }
        }
        server.waitClosed();
    }
}
