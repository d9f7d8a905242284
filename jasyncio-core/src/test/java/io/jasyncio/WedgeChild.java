package io.jasyncio;

import io.jasyncio.net.Protocol;
import io.jasyncio.net.Server;
import io.jasyncio.net.Transport;
import io.jasyncio.sync.Event;

import java.nio.charset.StandardCharsets;

/**
 * The program {@link LoopRobustnessTest} runs in a child JVM: an echo server on the loopback that
 * stops on SIGTERM, started under a small file-descriptor limit ({@code ulimit -n}) and flooded
 * with connections past it. It prints "ready PORT" once serving, "stopped" after an orderly stop,
 * and reports what its exception handler saw as "handler: ..." lines.
 */
public final class WedgeChild {
    private WedgeChild() {
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            loop.setExceptionHandler((l, c) -> say("handler: " + c.message()
                    + (c.exception() == null ? "" : " / " + c.exception().getClass().getName())));
            Event stop = new Event();
            loop.addSignalHandler("TERM", stop::set);
            Server server = loop.createServer(() -> new Protocol() {
                private Transport transport;

                @Override
                public void connectionMade(Transport t) {
                    transport = t;
                }

                @Override
                public void dataReceived(byte[] data) {
                    transport.write(("echo " + new String(data, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                }
            }, "127.0.0.1", 0);
            int port = ((java.net.InetSocketAddress) server.sockets().get(0)).getPort();
            say("ready " + port);
            stop.await();
            server.close();
            server.abortClients();
            say("stopped");
        });
        say("exit 0");
    }
}
