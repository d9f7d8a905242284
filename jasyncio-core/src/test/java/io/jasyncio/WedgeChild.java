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
 * and reports what its exception handler saw as "handler: ..." lines. With {@code hog}, it uses up
 * its descriptors itself before its loop first waits, and frees them a second later. With the argument
 * {@code wedged}, a loop that handles SIGTERM and SIGINT is frozen (with {@code wedged-runner}, one
 * whose runner claims SIGINT) for good by a task blocking in
 * {@link Thread#sleep}: "wedged" says it is.
 */
public final class WedgeChild {
    private WedgeChild() {
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("wedged")) {
            wedged(args[0].equals("wedged"));
            return;
        }
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            loop.setExceptionHandler((l, c) -> say("handler: " + c.message()
                    + (c.exception() == null ? "" : " / " + c.exception().getClass().getName())
                    + (c.exception() instanceof LinkageError e ? ": " + e.getMessage() : "")));
            Event stop = new Event();
            loop.addSignalHandler("TERM", stop::set);
            Server server = loop.createServer(Echo::new, "127.0.0.1", 0);
            int port = ((java.net.InetSocketAddress) server.sockets().get(0)).getPort();
            if (args.length > 0 && args[0].equals("hog")) {
                // Use up every descriptor before the loop first waits in its selector, and give
                // them back a second later. The protocol's class is resolved first: a class that
                // fails to load for want of a descriptor fails for good in the code that named it
                // (the JVM records a failed resolution), and that is this program's, not jasyncio's.
                new Echo();
                java.util.List<java.nio.channels.Pipe> pipes = new java.util.ArrayList<>();
                try {
                    for (;;) {
                        pipes.add(java.nio.channels.Pipe.open());
                    }
                } catch (java.io.IOException tooManyOpenFiles) {
                    say("exhausted after " + pipes.size() + " pipes");
                }
                loop.callLater(1.0, () -> {
                    for (java.nio.channels.Pipe p : pipes) {
                        EventLoop.closeQuietly(p.source());
                        EventLoop.closeQuietly(p.sink());
                    }
                });
            }
            say("ready " + port);
            stop.await();
            server.close();
            server.abortClients();
            say("stopped");
        });
        say("exit 0");
    }

    /** With {@code handlers}, the loop handles SIGTERM and SIGINT; without, the runner claims SIGINT. */
    private static void wedged(boolean handlers) {
        Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            if (handlers) {
                loop.addSignalHandler("TERM", () -> say("TERM handler ran"));
                loop.addSignalHandler("INT", () -> say("INT handler ran"));
            }
            Asyncio.sleep(0.01);
            say("wedged");
            Thread.sleep(3_600_000);   // holds the loop: no callback of it can run
        });
        say("exit 0");
    }

    /** Echoes what it receives, prefixed with "echo ". */
    static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(byte[] data) {
            transport.write(("echo " + new String(data, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        }
    }
}
