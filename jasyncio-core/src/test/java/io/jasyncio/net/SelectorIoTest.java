package io.jasyncio.net;

import static io.jasyncio.net.NetLoops.loop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop's selector: add/remove reader and writer, the sock* coroutines, name resolution. */
@Timeout(30)
class SelectorIoTest {
    static ServerSocketChannel listener() throws Exception {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        s.configureBlocking(false);
        return s;
    }

    @Test
    void sockCoroutinesMoveBytesBothWays() {
        NetLoops.run(() -> {
            try (ServerSocketChannel l = listener(); SocketChannel c = SocketChannel.open()) {
                c.configureBlocking(false);
                Task<SocketChannel> acc = Asyncio.createTask("accept", () -> loop().sockAccept(l));
                loop().sockConnect(c, l.getLocalAddress());
                try (SocketChannel s = acc.await()) {
                    assertFalse(s.isBlocking());
                    byte[] big = new byte[4 << 20];
                    new Random(1).nextBytes(big);
                    Task<Void> send = Asyncio.createTask("send", () -> loop().sockSendall(c, big));
                    ByteBuffer got = ByteBuffer.allocate(big.length);
                    while (got.hasRemaining()) {
                        assertTrue(loop().sockRecvInto(s, got) > 0);
                    }
                    send.await();
                    assertArrayEquals(big, got.array());
                    c.shutdownOutput();
                    assertEquals(-1, loop().sockRecvInto(s, ByteBuffer.allocate(8)));
                    assertEquals(0, loop().sockRecv(s, 8).length, "empty at EOF, as asyncio");
                }
            }
        });
    }

    @Test
    void cancelledRecvRemovesItsWatchAndReadsNothing() {
        NetLoops.run(() -> {
            try (ServerSocketChannel l = listener(); SocketChannel c = SocketChannel.open()) {
                c.configureBlocking(false);
                Task<SocketChannel> acc = Asyncio.createTask("accept", () -> loop().sockAccept(l));
                loop().sockConnect(c, l.getLocalAddress());
                try (SocketChannel s = acc.await()) {
                    Task<byte[]> r = Asyncio.createTask("recv", () -> loop().sockRecv(s, 10));
                    Asyncio.sleep(1);
                    r.cancel();
                    assertThrows(CancelledError.class, r::await);
                    assertFalse(loop().removeReader(s), "the watch went with the cancelled call");
                    loop().sockSendall(c, "kept".getBytes());
                    assertEquals("kept", new String(loop().sockRecv(s, 10)));
                }
            }
        });
    }

    @Test
    void addReaderCallsBackUntilRemovedAndTheLastCallbackWins() {
        NetLoops.run(() -> {
            Pipe p = Pipe.open();
            p.source().configureBlocking(false);
            List<String> calls = new ArrayList<>();
            AsyncFuture<Void> seen = loop().createFuture();
            loop().addReader(p.source(), () -> calls.add("first"));
            loop().addReader(p.source(), () -> {  // replaces the first, as asyncio
                calls.add("second");
                try {
                    p.source().read(ByteBuffer.allocate(16));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                if (!seen.isDone()) {
                    seen.setResult(null);
                }
            });
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            seen.await();
            assertEquals(List.of("second"), calls);
            assertTrue(loop().removeReader(p.source()));
            assertFalse(loop().removeReader(p.source()));
            p.sink().write(ByteBuffer.wrap(new byte[] {2}));
            Asyncio.sleep(0.5);
            assertEquals(List.of("second"), calls, "no callback after removal");
            assertThrows(IllegalArgumentException.class, () -> {
                Pipe q = Pipe.open();
                loop().addReader(q.source(), () -> {});  // blocking mode: refused
            });
            p.source().close();
            p.sink().close();
            assertThrows(IllegalStateException.class, () -> loop().addReader(p.source(), () -> {}));
        });
    }

    @Test
    void anotherThreadWakesALoopSleepingInItsSelector() throws Exception {
        EventLoop loop = EventLoop.newEventLoop();
        try {
            CompletableFuture<String> r = new CompletableFuture<>();
            loop.runUntilComplete(() -> {
                Pipe p = Pipe.open();
                p.source().configureBlocking(false);
                loop.addReader(p.source(), () -> {});  // the loop now sleeps in its selector
                Thread.ofPlatform().start(() -> {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                    loop.callSoonThreadsafe(() -> r.complete("woken"));
                });
                String s = loop.wrapFuture(r).await();
                loop.removeReader(p.source());
                p.source().close();
                p.sink().close();
                return s;
            });
            assertEquals("woken", r.get());
        } finally {
            loop.close();
        }
    }

    @Test
    void interruptsOfTheThreadDrivingTheLoopDoNotStopItsSelector() throws Exception {
        EventLoop loop = EventLoop.newEventLoop();
        try {
            String got = loop.runUntilComplete(() -> {
                Pipe p = Pipe.open();
                p.source().configureBlocking(false);
                Thread me = Thread.currentThread();
                Thread pest = Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 40; i++) {
                            Thread.sleep(2);
                            me.interrupt();  // a user's watchdog, say: must not wedge the idle loop
                        }
                        p.sink().write(ByteBuffer.wrap("late".getBytes()));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                AsyncFuture<String> f = loop.createFuture();
                loop.addReader(p.source(), () -> {
                    ByteBuffer b = ByteBuffer.allocate(16);
                    try {
                        p.source().read(b);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    if (!f.isDone()) {
                        f.setResult(new String(b.array(), 0, b.position()));
                    }
                });
                String s = f.await();
                loop.removeReader(p.source());
                Thread.interrupted();  // the pest is done: it wrote after its last interrupt
                pest.join();
                p.source().close();
                p.sink().close();
                return s;
            });
            assertEquals("late", got);
        } finally {
            loop.close();
        }
    }

    @Test
    void getaddrinfoResolvesOffTheLoopAndFiltersByFamily() {
        NetLoops.run(() -> {
            List<InetSocketAddress> all = loop().getaddrinfo("localhost", 80);
            assertFalse(all.isEmpty());
            assertTrue(all.stream().allMatch(a -> a.getPort() == 80 && a.getAddress().isLoopbackAddress()));
            List<InetSocketAddress> v4 = loop().getaddrinfo("localhost", 80, java.net.StandardProtocolFamily.INET);
            assertTrue(v4.stream().allMatch(a -> a.getAddress() instanceof java.net.Inet4Address));
            assertEquals(List.of(new InetSocketAddress("127.0.0.1", 5)), loop().getaddrinfo("127.0.0.1", 5));
            assertThrows(UnknownHostException.class, () -> loop().getaddrinfo("no-such-host.invalid", 80));
            assertThrows(UnknownHostException.class,
                    () -> loop().getaddrinfo("127.0.0.1", 80, java.net.StandardProtocolFamily.INET6));
            EventLoop.NameInfo ni = loop().getnameinfo(new InetSocketAddress("127.0.0.1", 22));
            assertEquals(22, ni.port());
            assertFalse(ni.host().isEmpty());
        });
    }
}
