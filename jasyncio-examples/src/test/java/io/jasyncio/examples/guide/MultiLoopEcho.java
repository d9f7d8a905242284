package io.jasyncio.examples.guide;

import io.jasyncio.Asyncio;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.Streams;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The snippet of {@code docs/multicore.md}: one event loop per thread, each with its own listening
 * socket on the same port (SO_REUSEPORT), the kernel spreading connections among them. Tested by
 * {@code EchoMulticoreTest}.
 */
public final class MultiLoopEcho {
    private MultiLoopEcho() {
    }

    /**
     * Starts {@code loops} echo loops on {@code host:port}, each on its own platform thread, and
     * returns the port once every loop listens. Each loop serves until {@code stop} is completed
     * (from any thread), then closes its server and its connections.
     */
    public static int serve(String host, int port, int loops, AtomicLongArray accepted,
            CompletableFuture<Void> stop, List<Thread> threads) throws IOException, InterruptedException {
        ServerOptions options = ServerOptions.builder().reusePort(true).build();
        for (int i = 0; i < loops; i++) {
            int me = i;
            int bindTo = port;
            CompletableFuture<Integer> listening = new CompletableFuture<>();
            threads.add(Thread.ofPlatform().name("echo-loop-" + me).start(() -> Asyncio.run(() -> {
                Server server;
                try {
                    server = Streams.startServer((reader, writer) -> {     // a task per connection, on this loop
                        accepted.incrementAndGet(me);                       // the only state the loops share
                        for (byte[] line : reader) {
                            writer.write(line);
                            writer.drain();
                        }
                        writer.close();
                    }, host, bindTo, options, StreamReader.DEFAULT_LIMIT);
                } catch (IOException e) {
                    listening.completeExceptionally(e);
                    throw e;
                }
                listening.complete(server.port());
                Asyncio.getRunningLoop().wrapFuture(stop).await();         // a thread-safe door into this loop
                server.close();
                server.closeClients();
                server.waitClosed();
            })));
            try {
                port = listening.get();            // loop 0 picks the port if it was 0; the others join it
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
        return port;
    }
}
