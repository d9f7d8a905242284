package io.jasyncio.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class MonitorTest {
    private EventLoop loop;
    private Thread runner;
    private AsyncFuture<Void> gate;
    private Task<?>[] tasks;
    private Monitor monitor;
    private String addr;

    @BeforeEach
    void start() throws Exception {
        loop = EventLoop.newEventLoop();
        gate = loop.createFuture();
        tasks = new Task<?>[2];
        CountDownLatch ready = new CountDownLatch(1);
        runner = new Thread(() -> loop.runUntilComplete(loop.createTask("main", () -> {
            tasks[0] = Asyncio.createTask("sleeper", () -> Asyncio.sleep(3600));
            tasks[1] = Asyncio.createTask("waiter", () -> gate.await());
            Asyncio.sleep(0);
            ready.countDown();
            try {
                gate.await();
            } finally {
                tasks[0].cancel();
            }
            return null;
        })));
        runner.start();
        assertTrue(ready.await(10, TimeUnit.SECONDS));
        monitor = Monitor.start("127.0.0.1:0");
        addr = "127.0.0.1:" + monitor.address().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        monitor.close();
        if (!gate.isDone()) {
            loop.callSoonThreadsafe(() -> { if (!gate.isDone()) { gate.setResult(null); } });
        }
        runner.join(10_000);
        loop.close();
    }

    @Test
    void psTreeAndWhere() throws Exception {
        String ps = MonitorClient.request(addr, "ps");
        assertTrue(ps.contains("sleeper") && ps.contains("sleep until") && ps.contains("AWAITED BY"), ps);
        String tree = MonitorClient.request(addr, "tree");
        assertTrue(tree.contains("(T) main #") && tree.contains("(T) waiter #"), tree);
        String where = MonitorClient.request(addr, "where " + tasks[0].getId());
        assertTrue(where.startsWith("Task 'sleeper' #" + tasks[0].getId()) && where.contains("\tat "), where);
        assertTrue(MonitorClient.request(addr, "loops").contains(loop.toString().substring(0, 10)));
        assertTrue(MonitorClient.request(addr, "help").contains("cancel ID"));
    }

    @Test
    void jsonForTools() throws Exception {
        JsonNode dumps = new ObjectMapper().readTree(MonitorClient.request(addr, "json ps"));
        assertTrue(dumps.isArray() && dumps.size() >= 1);
        boolean found = false;
        for (JsonNode d : dumps) {
            for (JsonNode t : d.get("tasks")) {
                found |= t.get("name").asText().equals("waiter");
            }
        }
        assertTrue(found, dumps.toString());
        JsonNode where = new ObjectMapper().readTree(MonitorClient.request(addr, "json where " + tasks[1].getId()));
        assertEquals("waiter", where.get("name").asText());
        JsonNode err = new ObjectMapper().readTree(MonitorClient.request(addr, "json where nonsense"));
        assertTrue(err.get("error").asText().contains("not a task id"));
    }

    @Test
    void cancelATask() throws Exception {
        String answer = MonitorClient.request(addr, "cancel " + tasks[0].getId() + " from the monitor");
        assertEquals("cancelled Task 'sleeper' #" + tasks[0].getId(), answer.trim());
        CountDownLatch seen = new CountDownLatch(1);
        String[] message = new String[1];
        loop.callSoonThreadsafe(() -> tasks[0].addDoneCallback(t -> {
            message[0] = t.isCancelled() ? "cancelled" : "not cancelled";
            seen.countDown();
        }));
        assertTrue(seen.await(5, TimeUnit.SECONDS));
        assertEquals("cancelled", message[0]);
        assertTrue(MonitorClient.request(addr, "cancel 999999999").startsWith("error: no pending task"));
    }

    @Test
    void errorsAndAnInteractiveSession() throws Exception {
        assertTrue(MonitorClient.request(addr, "frobnicate").startsWith("error: unknown command"));
        assertTrue(MonitorClient.request(addr, "where").contains("needs a task id"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MonitorClient.interact(addr, new ByteArrayInputStream("ps\nquit\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String session = out.toString(StandardCharsets.UTF_8);
        assertTrue(session.startsWith("jasyncio monitor, process ") && session.contains("sleeper"), session);
    }

    @Test
    void itAnswersWhileTheLoopIsBlocked() throws Exception {
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.callSoonThreadsafe(() -> loop.createTask("hog", () -> {
            blocking.countDown();
            release.await();
            return null;
        }));
        assertTrue(blocking.await(10, TimeUnit.SECONDS));
        try {
            String tree = MonitorClient.request(addr, "tree");
            assertTrue(tree.contains("did not answer") && tree.contains("hog"), tree);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aTooLongRequestLineGetsOneLineAndTheConnectionCloses() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", monitor.address().getPort())) {
            s.setSoTimeout(10_000);
            java.io.InputStream in = s.getInputStream();
            readUntil(in, Monitor.prompt());
            byte[] line = new byte[Monitor.MAX_LINE * 4];
            java.util.Arrays.fill(line, (byte) 'x');
            s.getOutputStream().write(line);
            s.getOutputStream().flush();
            String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("error: request line longer than " + Monitor.MAX_LINE + " bytes; closing the connection\n", rest);
        }
        // A line of exactly the limit is still a line (an unknown command).
        String answer = MonitorClient.request(addr, "y".repeat(Monitor.MAX_LINE));
        assertTrue(answer.startsWith("error: unknown command"), answer);
        String tooLong = MonitorClient.request(addr, "y".repeat(Monitor.MAX_LINE + 1));
        assertTrue(tooLong.startsWith("error: request line longer than"), tooLong);
    }

    @Test
    void aTokenIsAskedForFirst() throws Exception {
        try (Monitor guarded = Monitor.start("127.0.0.1:0", "s3cret")) {
            String a = "127.0.0.1:" + guarded.address().getPort();
            assertTrue(guarded.requiresToken());
            assertTrue(MonitorClient.request(a, "ps").startsWith("error: this monitor needs a token first"));
            assertTrue(MonitorClient.request(a, "s3cret", "tree").contains("(T) waiter #"));
            java.io.IOException wrong = assertThrows(java.io.IOException.class, () -> MonitorClient.request(a, "guess", "ps"));
            assertTrue(wrong.getMessage().contains("refused the token: wrong token"), wrong.getMessage());
            // A session is closed after one wrong token.
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", guarded.address().getPort())) {
                s.setSoTimeout(10_000);
                readUntil(s.getInputStream(), Monitor.prompt());
                s.getOutputStream().write("auth nope\nps\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("error: wrong token; closing the connection\n",
                        new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertTrue(MonitorClient.request(addr, "auth x").startsWith("error: this monitor needs no token"));
    }

    @Test
    void onlyLoopbackIsQuiet() throws Exception {
        assertEquals(null, monitor.exposureWarning());
        try (Monitor any = Monitor.start(new java.net.InetSocketAddress("0.0.0.0", 0), null)) {
            String w = any.exposureWarning();
            assertTrue(w != null && w.contains("not on loopback") && w.contains(Monitor.TOKEN_ENV), w);
            // Reachable over loopback too, and served.
            assertTrue(MonitorClient.request("127.0.0.1:" + any.address().getPort(), "help").contains("where ID"));
        }
    }

    @Test
    void unreachableAndUnknownMonitorsAreIOExceptions() throws Exception {
        int free;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        assertThrows(java.io.IOException.class, () -> MonitorClient.request("127.0.0.1:" + free, "ps"));
        java.io.IOException unknown = assertThrows(java.io.IOException.class,
                () -> MonitorClient.request("no-such-host.invalid:1", "ps"));
        assertTrue(unknown.getMessage().contains("no-such-host.invalid"), unknown.getMessage());
        assertTrue(MonitorClient.isCommand("tree") && MonitorClient.isCommand("JSON") && !MonitorClient.isCommand("localhost"));
    }

    @Test
    void idleClientsHoldNoPlatformThreads() throws Exception {
        java.util.List<java.net.Socket> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", monitor.address().getPort());
                s.setSoTimeout(10_000);
                open.add(s);
                readUntil(s.getInputStream(), Monitor.prompt());     // served: its greeting came
            }
            long platform = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("jasyncio-monitor")).count();
            assertEquals(1, platform, "platform threads of the monitor: the acceptor only");
        } finally {
            for (java.net.Socket s : open) {
                s.close();
            }
        }
    }

    private static void readUntil(java.io.InputStream in, String end) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; !sb.toString().endsWith(end) && (b = in.read()) != -1; ) {
            sb.append((char) b);
        }
    }

    @Test
    void addresses() {
        assertEquals(Monitor.DEFAULT_PORT, Monitor.parse("").getPort());
        assertEquals(9999, Monitor.parse("9999").getPort());
        assertEquals(9999, Monitor.parse(":9999").getPort());
        assertTrue(Monitor.parse("").getAddress().isLoopbackAddress());
        assertThrows(IllegalArgumentException.class, () -> Monitor.parse("host:port"));
        assertThrows(IllegalArgumentException.class, () -> Monitor.parse("host:70000"));
        assertTrue(Monitor.parse("[::1]:9999").getAddress().isLoopbackAddress());
    }
}
