package io.jasyncio.bench;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.net.Protocol;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;
import io.jasyncio.net.Transport;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamWriter;

/**
 * The jasyncio side of the echo benchmark: a TCP echo server on 127.0.0.1:PORT, written the way
 * the peers' are (../shared/bench/echo/py_echo.py): streams (a task per connection reading up to
 * 64 KiB, writing it back and draining) or a bare protocol (dataReceived writes the bytes back).
 *
 * <p>Usage: {@code EchoServer streams|proto PORT [MAX_SECS]}; stops by itself after MAX_SECS.
 */
public final class EchoServer {
    private EchoServer() {}

    /** Echoes what it receives. */
    static final class EchoProtocol implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(byte[] data) {
            transport.write(data);
        }
    }

    static void handle(StreamReader reader, StreamWriter writer) throws Exception {
        try {
            for (;;) {
                byte[] data = reader.read(65536);
                if (data.length == 0) {
                    break;
                }
                writer.write(data);
                writer.drain();
            }
        } catch (java.io.IOException e) {
            // a reset: the connection is gone
        } finally {
            writer.close();
        }
    }

    public static void main(String[] args) {
        String api = args[0];
        int port = Integer.parseInt(args[1]);
        double maxSecs = args.length > 2 ? Double.parseDouble(args[2]) : 600;
        ServerOptions o = ServerOptions.builder().backlog(1024).build();
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Server s = switch (api) {
                case "streams" -> Asyncio.startServer(EchoServer::handle, "127.0.0.1", port, o, 64 * 1024);
                case "proto" -> loop.createServer(EchoProtocol::new, "127.0.0.1", port, o);
                default -> throw new IllegalArgumentException("streams or proto: " + api);
            };
            System.out.println("echo " + api + " on " + s.sockets() + ", " + loop.getScheduling());
            Asyncio.moveOnAfter(maxSecs).run(s::serveForever);
            s.close();
            return null;
        });
    }
}
