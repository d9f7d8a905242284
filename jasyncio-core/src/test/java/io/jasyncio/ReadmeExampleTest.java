package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's examples, kept compiling and running (same code, shorter sleeps). */
class ReadmeExampleTest {

    @Test
    void theTasteRuns() {
        String result = Asyncio.run(() -> {
            Task<String> a = Asyncio.createTask(() -> fetch("a", 0.02));
            Task<String> b = Asyncio.createTask(() -> fetch("b", 0.01));
            List<String> both = Asyncio.gather(a, b).await();
            String fast = Asyncio.timeout(1.0).run(() -> fetch("c", 0.005));
            TaskGroup.run(g -> {
                g.createTask(() -> fetch("d", 0.001));
                g.createTask(() -> fetch("e", 0.001));
            });
            return both + " " + fast;
        });
        assertEquals("[a, b] c", result);
    }

    @Test
    void theNetworkingExampleRuns() {
        String echoed = Asyncio.run(() -> {
            io.jasyncio.net.Server server = Asyncio.startServer((reader, writer) -> {
                for (byte[] line : reader) {
                    writer.write(line);
                    writer.drain();
                }
                writer.close();
            }, "127.0.0.1", 0);  // the README uses 8888; any free port here

            io.jasyncio.streams.StreamConnection c = Asyncio.openConnection("127.0.0.1", server.port());
            c.writer().write("hello\n".getBytes());
            byte[] line = c.reader().readline();
            c.close();
            server.close();
            server.waitClosed();
            return new String(line);
        });
        assertEquals("hello\n", echoed);
    }

    @Test
    void theCoordinationExampleRuns() {
        List<String> urls = java.util.stream.IntStream.range(0, 50).mapToObj(i -> "site-" + i).toList();
        List<String> indexed = new java.util.ArrayList<>();
        int[] now = {0};
        int[] most = {0};
        Asyncio.run(EventLoop.builder().clock(new VirtualClock()), () -> {
            io.jasyncio.channels.Channel<String> pages = new io.jasyncio.channels.Channel<>(10);
            io.jasyncio.sync.AsyncSemaphore inFlight = new io.jasyncio.sync.AsyncSemaphore(10);
            TaskGroup.run(g -> {
                g.createTask(() -> {
                    TaskGroup.run(fetchers -> {
                        for (String url : urls) {
                            fetchers.createTask(() -> {
                                try (io.jasyncio.sync.Held h = inFlight.hold()) {
                                    most[0] = Math.max(most[0], ++now[0]);
                                    String page = fetch(url, 0.1 + url.length() % 7 * 0.01);
                                    now[0]--;
                                    pages.send(page);
                                }
                            });
                        }
                    });
                    pages.close();
                });
                for (String page : pages) {
                    indexed.add(page);
                }
            });
            return null;
        });
        assertEquals(50, indexed.size());
        assertEquals(new java.util.HashSet<>(urls), new java.util.HashSet<>(indexed));
        assertEquals(10, most[0], "never more than 10 fetches at once, and 10 when there is work for 10");
    }

    static String fetch(String what, double seconds) {
        Asyncio.sleep(seconds);
        return what;
    }
}
