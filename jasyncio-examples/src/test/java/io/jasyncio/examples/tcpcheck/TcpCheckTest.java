package io.jasyncio.examples.tcpcheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jasyncio.examples.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./jasyncio tcpcheck} against real sockets on 127.0.0.1: open ports are listeners, closed
 * ports have none, and a timeout is a listener whose queue of pending connections is full
 * ({@link LocalTargets.Saturated}), so every outcome is deterministic and nothing leaves the machine.
 */
class TcpCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run printed, and its exit status. */
    record Run(int status, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("tcpcheck"));
        all.addAll(List.of(args));
        int status = cl.execute(all.toArray(String[]::new));
        return new Run(status, out.toString().replace("\r\n", "\n"), err.toString());
    }

    /** A port with a listener (the kernel completes handshakes even if nobody accepts). */
    private static ServerSocketChannel listener() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return s;
    }

    private static int port(ServerSocketChannel s) throws IOException {
        return ((InetSocketAddress) s.getLocalAddress()).getPort();
    }

    /** A port that had a listener a moment ago and has none now. */
    private static int closedPort() throws IOException {
        try (ServerSocketChannel s = listener()) {
            return port(s);
        }
    }

    private static Map<String, Integer> states(List<JsonNode> results) {
        Map<String, Integer> n = new TreeMap<>();
        for (JsonNode r : results) {
            n.merge(r.get("state").asText(), 1, Integer::sum);
        }
        return n;
    }

    private static List<JsonNode> parse(Run r) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : r.lines()) {
            out.add(JSON.readTree(l));                     // every line of standard output is JSON
        }
        return out;
    }

    @Test
    void theOfflineDefaultFindsOpenClosedAndTimeout() {
        Run r = run("--timeout", "0.3");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.out().startsWith("tcpcheck: no --hosts or --ports given"), r.out());
        long open = r.lines().stream().filter(l -> l.matches("127\\.0\\.0\\.1:\\d+ +open .*")).count();
        long closed = r.lines().stream().filter(l -> l.matches("127\\.0\\.0\\.1:\\d+ +closed .*")).count();
        long timeout = r.lines().stream().filter(l -> l.matches("127\\.0\\.0\\.1:\\d+ +timeout .*")).count();
        assertEquals(List.of(3L, 6L, 1L), List.of(open, closed, timeout), r.out());
        assertTrue(r.out().contains("10 probes in ") && r.out().contains(": 3 open, 6 closed, 1 timeout, 0 error"), r.out());
        assertFalse(r.err().contains("["), "no progress bar: standard error is not a terminal");
    }

    @Test
    void jsonLinesParseAndCarryEveryField() throws IOException {
        Run r = run("--json", "--timeout", "0.3");
        assertEquals(1, r.status(), r.err());
        List<JsonNode> results = parse(r);
        assertEquals(10, results.size(), r.out());
        assertEquals(Map.of("closed", 6, "open", 3, "timeout", 1), states(results));
        for (JsonNode n : results) {
            assertEquals("127.0.0.1", n.get("host").asText());
            assertEquals("127.0.0.1", n.get("address").asText());
            assertTrue(n.get("port").isInt() && n.get("latency_ms").isNumber(), n.toString());
            assertNull(n.get("error"), n.toString());
        }
        assertTrue(r.err().contains("no --hosts or --ports given") && r.err().contains("10 probes in"), "banner and summary on stderr: " + r.err());
    }

    @Test
    void allOpenExitsZero() throws IOException {
        try (ServerSocketChannel a = listener(); ServerSocketChannel b = listener()) {
            Run r = run("--hosts", "127.0.0.1", "--ports", port(a) + "," + port(b), "--json");
            assertEquals(0, r.status(), r.out() + r.err());
            assertEquals(Map.of("open", 2), states(parse(r)));
        }
    }

    @Test
    void closedPortsExitOne() throws IOException {
        int p1 = closedPort();
        int p2 = closedPort();
        Run r = run("--ports", p1 + "," + p2);             // no --hosts: 127.0.0.1
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("127.0.0.1:" + p1) && r.out().contains("127.0.0.1:" + p2), r.out());
        assertEquals(2, r.lines().stream().filter(l -> l.contains(" closed ")).count(), r.out());
        assertTrue(r.out().contains("2 probes in ") && r.out().contains(": 0 open, 2 closed"), r.out());
    }

    @Test
    void aConnectThatCannotCompleteTimesOut() throws IOException {
        try (LocalTargets.Saturated jammed = LocalTargets.Saturated.open(); ServerSocketChannel ok = listener()) {
            Run r = run("-p", jammed.port + "," + port(ok), "-t", "0.2", "--json");
            assertEquals(1, r.status(), r.out() + r.err());
            List<JsonNode> results = parse(r);
            assertEquals(Map.of("open", 1, "timeout", 1), states(results));
            assertTrue(results.stream().anyMatch(n -> n.get("port").asInt() == jammed.port && n.get("state").asText().equals("timeout")));
        }
    }

    @Test
    void resultsArriveAsProbesCompleteWithinTheConcurrencyCap() throws IOException {
        try (LocalTargets.Saturated jammed = LocalTargets.Saturated.open(); ServerSocketChannel ok = listener()) {
            String ports = jammed.port + "," + port(ok);
            // Two probes in flight: the open port answers while the other is still waiting.
            List<JsonNode> both = parse(run("-p", ports, "-t", "0.5", "--json", "-c", "2"));
            assertEquals(List.of("open", "timeout"), both.stream().map(n -> n.get("state").asText()).toList());
            // One at a time: the open port is probed only after the first probe timed out.
            List<JsonNode> one = parse(run("-p", ports, "-t", "0.5", "--json", "-c", "1"));
            assertEquals(List.of("timeout", "open"), one.stream().map(n -> n.get("state").asText()).toList());
        }
    }

    @Test
    void onlyOpenPrintsOpenPortsButCountsAll() throws IOException {
        try (ServerSocketChannel ok = listener()) {
            int closed = closedPort();
            Run r = run("-p", port(ok) + "," + closed, "--open");
            assertEquals(1, r.status());
            assertEquals(1, r.lines().stream().filter(l -> l.startsWith("127.0.0.1:")).count(), r.out());
            assertTrue(r.out().contains(": 1 open, 1 closed"), r.out());
        }
    }

    @Test
    void aForcedProgressBarGoesToStandardErrorOnly() throws IOException {
        try (ServerSocketChannel ok = listener()) {
            Run r = run("-p", Integer.toString(port(ok)), "--progress", "--json");
            assertEquals(0, r.status());
            assertTrue(r.err().contains("] 100% 1/1 probes, 1 open"), r.err());
            assertEquals(1, parse(r).size());
        }
    }

    @Test
    void badUsageExitsTwo() {
        Run badPorts = run("-p", "80,90-85");
        assertEquals(2, badPorts.status());
        assertTrue(badPorts.err().contains("range 90-85 runs backwards"), badPorts.err());
        Run noPorts = run("--hosts", "127.0.0.1");
        assertEquals(2, noPorts.status());
        assertTrue(noPorts.err().contains("--ports is required"), noPorts.err());
        assertEquals(2, run("-p", "80", "--timeout", "0").status());
        assertEquals(2, run("-p", "80", "--concurrency", "0").status());
        Run unknown = run("--frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("Unknown option"), unknown.err());
    }

    @Test
    void anEmptyHostIsBadUsage() {
        for (String hosts : List.of("", "127.0.0.1,,localhost", " ")) {
            Run r = run("--hosts", hosts, "--ports", "1");
            assertEquals(2, r.status(), "--hosts '" + hosts + "': " + r.out() + r.err());
            assertEquals("tcpcheck: --hosts: an empty host name (give names or addresses separated by commas)", r.err().strip());
            assertEquals("", r.out());
        }
    }

    @Test
    void oneProbeIsSingularAndIpv6IsBracketed() throws IOException {
        int p = closedPort();
        Run one = run("--ports", Integer.toString(p));
        assertTrue(one.out().contains("\n1 probe in ") || one.out().startsWith("1 probe in "), one.out());
        assertEquals("[::1]:22", TcpCheck.hostPort("::1", 22));
        assertEquals("127.0.0.1:22", TcpCheck.hostPort("127.0.0.1", 22));
        Run v6 = run("--hosts", "::1", "--ports", Integer.toString(p));
        assertTrue(v6.out().startsWith("[::1]:" + p + " "), v6.out());
    }

    @Test
    void helpDescribesOptionsAndExitCodes() {
        Run r = run("--help");
        assertEquals(0, r.status());
        for (String s : List.of("--hosts", "--ports", "--concurrency", "--timeout", "--json", "--[no-]progress", "Exit status", "130")) {
            assertTrue(r.out().contains(s), s + " in " + r.out());
        }
    }

    @Test
    void portListsAndRanges() {
        assertEquals(List.of(22, 80, 8000, 8001, 8002), PortList.parse("22,80,8000-8002"));
        assertEquals(List.of(5, 6, 7, 1), PortList.parse(" 5-7 , 6, 1 "));
        assertEquals(List.of(65535), PortList.parse("65535-65535"));
        for (String bad : List.of("", "0", "65536", "a", "1,,2", "3-2", "-5", "1-")) {
            assertThrows(IllegalArgumentException.class, () -> PortList.parse(bad), bad);
        }
    }

    @Test
    void errorsAreValidJson() throws IOException {
        String line = TcpCheck.toJson(new TcpCheck.Result("h\"ost", null, 1, TcpCheck.State.ERROR, 0, "bad \\ \"thing\"\n\u0001"));
        JsonNode n = JSON.readTree(line);
        assertEquals("h\"ost", n.get("host").asText());
        assertTrue(n.get("address").isNull());
        assertEquals("error", n.get("state").asText());
        assertEquals("bad \\ \"thing\"\n\u0001", n.get("error").asText());
    }

    /**
     * A prefix giving the child SIGINT's default handling: a process inherits an ignored SIGINT
     * (a non-interactive shell's background job), and the JVM keeps it ignored. Skips the test if
     * SIGINT is ignored here and GNU {@code env --default-signal} is missing.
     */
    private static List<String> defaultSigint() throws Exception {
        Process p = null;
        try {
            p = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
        } catch (IOException noEnv) {
            // fall through
        }
        if (p != null && p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
            return List.of("env", "--default-signal=INT");
        }
        String ignored = java.nio.file.Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).findFirst().orElse("SigIgn: 0");
        org.junit.jupiter.api.Assumptions.assumeTrue((Long.parseUnsignedLong(ignored.substring(7).trim(), 16) & 2) == 0,
                "SIGINT is ignored in this process and env --default-signal is missing");
        return List.of();
    }

    @Test
    void ctrlCStopsTheScanAndExits130() throws Exception {
        try (LocalTargets.Saturated jammed = LocalTargets.Saturated.open()) {
            List<String> cmd = new ArrayList<>(defaultSigint());
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "tcpcheck", "-p", Integer.toString(jammed.port), "-t", "60", "--progress"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                // The progress bar's first frame says the probe is under way.
                StringBuilder seen = new StringBuilder();
                for (int c; !seen.toString().contains("0/1 probes") && (c = out.read()) >= 0; ) {
                    seen.append((char) c);
                }
                new ProcessBuilder("kill", "-s", "INT", Long.toString(p.pid())).start().waitFor(20, TimeUnit.SECONDS);
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "exited");
                for (String l; (l = out.readLine()) != null; ) {
                    seen.append(l).append('\n');
                }
                assertEquals(130, p.exitValue(), seen.toString());
                assertTrue(seen.toString().contains("tcpcheck: interrupted after 0 of 1 probe"), seen.toString());
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
