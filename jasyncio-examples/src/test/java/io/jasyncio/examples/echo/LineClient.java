package io.jasyncio.examples.echo;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A plain blocking client on 127.0.0.1 that reads lines as raw bytes, line ending included, so
 * a test sees exactly what the server sent ({@code "text\r\n"} stays {@code "text\r\n"}). Every
 * read is bounded by a 20 s socket timeout.
 */
final class LineClient implements AutoCloseable {
    static final int TIMEOUT_MS = 20_000;

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    LineClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static LineClient connect(int port) throws IOException {
        return new LineClient(new Socket("127.0.0.1", port));
    }

    /** Connects and reads the greeting line. */
    static LineClient greeted(int port) throws IOException {
        LineClient c = connect(port);
        String g = c.readLine();
        if (!g.startsWith("welcome to jasyncio echo")) {
            throw new IOException("no greeting: " + EchoDemo.quote(g));
        }
        return c;
    }

    void send(String s) throws IOException {
        send(s.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    /** The next line with its ending; what is left without one at the end; "" at the end. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** The next line, or null if the connection ended or was reset (an abort shows as either). */
    String readLineOrNull() {
        try {
            String l = readLine();
            return l.isEmpty() ? null : l;
        } catch (SocketException reset) {
            return null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Sends a line and returns the line read back. */
    String roundTrip(String line) throws IOException {
        send(line);
        return readLine();
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
