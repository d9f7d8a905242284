package io.jasyncio.examples.mq;

import io.jasyncio.Asyncio;
import io.jasyncio.Peers;
import io.jasyncio.examples.mq.MqTesting.TestBroker;
import io.jasyncio.test.AsyncioSettings;
import io.jasyncio.test.AsyncioTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jasyncio.examples.mq.MqTesting.receive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPython clients, written from the protocol alone with asyncio streams ({@code mq_peer.py}),
 * against our broker: Python listeners of a broadcast and a {@code /queue} channel and of a
 * 1 MiB message, Python senders (on asyncio and on uvloop) heard by our listeners, a Python
 * client that listens and publishes on one connection, and a Python client refused for an
 * oversized frame. Skipped if there is no python3.
 */
@Tag("interop")
@AsyncioSettings(virtualTime = false, timeout = 60)
class MqInteropTest {
    static String python;
    static Path script;

    @BeforeAll
    static void findPython() throws IOException {
        python = Peers.python();
        script = Files.createTempFile("mq_peer", ".py");
        script.toFile().deleteOnExit();
        try (InputStream in = MqInteropTest.class.getResourceAsStream("mq_peer.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static boolean hasUvloop() {
        try {
            Process p = new ProcessBuilder(python, "-c", "import uvloop").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Starts {@code mq_peer.py ARGS} (off the loop: forking may take a moment). */
    static Process peer(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(Arrays.asList(args));
        return Asyncio.toThread(() -> new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    /** Everything the process prints until it exits, as lines (off the loop); kills it if it overstays. */
    static List<String> finish(Process p) throws Exception {
        return Asyncio.toThread(() -> {
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(25, TimeUnit.SECONDS)) {
                    return List.of(out, "[killed: did not exit]");
                }
                List<String> lines = new ArrayList<>(out.lines().toList());
                if (p.exitValue() != 0) {
                    lines.add("[exit " + p.exitValue() + "]");
                }
                return lines;
            } finally {
                p.destroyForcibly();
            }
        });
    }

    private static void waitForListeners(TestBroker b, String channel, int n) {
        Asyncio.waitFor(() -> {
            b.broker.awaitListeners(channel, n);
            return null;
        }, MqTesting.WAIT);
    }

    private static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @AsyncioTest
    void pythonListenersHearOurSender() throws Exception {
        try (TestBroker b = new TestBroker()) {
            String port = Integer.toString(b.port);
            Process topic = peer("listen", port, "/topic/py", "3");
            Process q0 = peer("listen", port, "/queue/py", "2");
            waitForListeners(b, "/queue/py", 1);            // q0 joins first: the round robin starts with it
            Process q1 = peer("listen", port, "/queue/py", "2");
            Process big = peer("listen", port, "/thé ☕", "1");
            waitForListeners(b, "/topic/py", 1);
            waitForListeners(b, "/queue/py", 2);
            waitForListeners(b, "/thé ☕", 1);
            byte[] mib = new byte[Frames.DEFAULT_MAX_FRAME];              // the largest frame the broker takes
            for (int i = 0; i < mib.length; i++) {
                mib[i] = (byte) (i * 31 + 7);
            }
            try (MqClient s = b.client(Broker.SINK)) {
                s.publish("/topic/py", "hello");
                s.publish("/topic/py", "ünïcödé ☕ 𝄞");
                s.publish("/topic/py", "");
                for (int i = 0; i < 4; i++) {
                    s.publish("/queue/py", "job " + i);
                }
                s.publish("/thé ☕", mib);
                s.finish();
            }
            assertEquals(List.of("got hello", "got ünïcödé ☕ 𝄞", "got ", "done", "loop asyncio.unix_events"), finish(topic));
            assertEquals(List.of("got job 0", "got job 2", "done", "loop asyncio.unix_events"), finish(q0));
            assertEquals(List.of("got job 1", "got job 3", "done", "loop asyncio.unix_events"), finish(q1));
            assertEquals(List.of("got " + mib.length + " bytes sha256 " + sha256(mib), "done", "loop asyncio.unix_events"),
                    finish(big));
        }
    }

    @AsyncioTest
    void ourListenersHearPythonSenders() throws Exception {
        boolean uvloop = hasUvloop();
        try (TestBroker b = new TestBroker(); MqClient topic = b.listener("/topic/j"); MqClient q0 = b.listener("/queue/j");
                MqClient q1 = b.listener("/queue/j")) {
            String port = Integer.toString(b.port);
            List<String> sent = finish(peer("send", port, "/topic/j", "from", "cpython", "ünï"));
            assertEquals(List.of("sent 3 rest 0", "loop asyncio.unix_events"), sent);
            assertEquals(List.of("from", "cpython", "ünï"), receive(topic, 3));
            List<String> args = new ArrayList<>(List.of("send", port, "/queue/j", "a", "b", "c", "d"));
            if (uvloop) {
                args.add("--uvloop");
            }
            List<String> sentQ = finish(peer(args.toArray(String[]::new)));
            assertEquals(List.of("sent 4 rest 0", uvloop ? "loop uvloop" : "loop asyncio.unix_events"), sentQ);
            assertEquals(List.of("a", "c"), receive(q0, 2));
            assertEquals(List.of("b", "d"), receive(q1, 2));
            assertEquals(7, b.broker.stats().published());
        }
    }

    @AsyncioTest
    void aPythonClientListensAndPublishesOnOneConnection() throws Exception {
        try (TestBroker b = new TestBroker(); MqClient also = b.listener("/chat")) {
            List<String> out = finish(peer("chat", Integer.toString(b.port), "/chat", "hi from python"));
            assertEquals(List.of("echo hi from python", "loop asyncio.unix_events"), out);
            assertEquals(List.of("hi from python"), receive(also, 1));
        }
    }

    @AsyncioTest
    void aPythonClientSendingAnOversizedFrameIsCutOff() throws Exception {
        try (TestBroker b = new TestBroker()) {
            List<String> out = finish(peer("oversize", Integer.toString(b.port)));
            assertTrue(out.get(0).startsWith("closed by the broker"), out.toString());
            assertEquals(1, b.logged("payload frame of 16,777,216 bytes refused: the limit is 1,048,576 bytes").size(),
                    b.log.toString());
        }
    }
}
