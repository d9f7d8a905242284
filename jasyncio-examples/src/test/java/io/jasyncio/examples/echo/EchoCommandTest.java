package io.jasyncio.examples.echo;

import io.jasyncio.examples.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ./jasyncio echo} as a command, in process: its help, its usage errors, and the
 * {@code --demo} session (which runs the server and three clients and checks every reply).
 * Nothing here listens for signals; {@code EchoSignalTest} runs the server itself in a child JVM.
 */
@Timeout(60)
class EchoCommandTest {

    record Run(int status, String out, String err) {
        List<String> lines() {
            return List.of(out.split("\n"));
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("echo"));
        all.addAll(List.of(args));
        int status = cl.execute(all.toArray(String[]::new));
        return new Run(status, out.toString().replace("\r\n", "\n"), err.toString());
    }

    @Test
    void theLauncherListsEcho() {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("--help"));
        assertTrue(out.toString().contains("echo"), out.toString());
    }

    @Test
    void helpDescribesEveryOption() {
        Run r = run("--help");
        assertEquals(0, r.status());
        for (String o : List.of("--host", "--port", "--grace", "--loops", "--max-line", "--backlog", "--no-greeting",
                "--tls", "--tls-password", "--demo", "--idle-timeout", "--first-byte-timeout", "SO_REUSEPORT", "SIGTERM", "Exit status")) {
            assertTrue(r.out().contains(o), o + " in " + r.out());
        }
    }

    @Test
    void badValuesAreUsageErrors() {
        assertUsage(run("--loops", "0"), "echo: --loops must be between 1 and 1024: 0");
        assertUsage(run("--grace", "-1"), "echo: --grace must be a number of seconds, 0 or more: -1.0");
        assertUsage(run("--grace", "NaN"), "echo: --grace must be a number of seconds, 0 or more: NaN");
        assertUsage(run("--port", "70000"), "echo: --port must be between 0 and 65535: 70000");
        assertUsage(run("--max-line", "0"), "echo: --max-line must be at least 1 byte: 0");
        assertUsage(run("--backlog", "0"), "echo: --backlog must be at least 1: 0");
        assertUsage(run("--idle-timeout", "-1"), "echo: --idle-timeout must be a number of seconds, 0 (none) or more: -1.0");
        assertUsage(run("--first-byte-timeout", "NaN"),
                "echo: --first-byte-timeout must be a number of seconds, 0 (none) or more: NaN");
        Run unknown = run("--bogus");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("Unknown option: '--bogus'"), unknown.err());
    }

    private static void assertUsage(Run r, String message) {
        assertEquals(2, r.status(), r.err());
        assertEquals(message, r.err().strip());
        assertEquals("", r.out());
    }

    @Test
    void tlsNeedsAPasswordAndAReadableKeyStore() throws Exception {
        String store = EchoServerTest.resources().resolve("localhost.p12").toString();
        assumeTrue(System.getenv("JASYNCIO_TLS_PASSWORD") == null, "JASYNCIO_TLS_PASSWORD is set here");
        assertUsage(run("--tls", store), "echo: --tls needs the key store's password: --tls-password or JASYNCIO_TLS_PASSWORD");
        Run wrong = run("--tls", store, "--tls-password", "wrong");
        assertEquals(1, wrong.status());
        assertTrue(wrong.err().startsWith("echo: --tls " + store + ": "), wrong.err());
        Run missing = run("--tls", "/no/such/store.p12", "--tls-password", "x");
        assertEquals(1, missing.status());
        assertTrue(missing.err().startsWith("echo: --tls /no/such/store.p12: "), missing.err());
        assertUsage(run("--tls", store, "--tls-password", "changeit", "--demo"), "echo: --demo speaks plain TCP: leave out --tls");
    }

    @Test
    void theDemoShowsEchoCrlfTheLimitQuitAndTheShutdown() {
        Run r = run("--demo");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("", r.err());
        List<String> l = r.lines();
        assertTrue(l.get(0).matches("echo: listening on 127\\.0\\.0\\.1:\\d+; lines up to 8192 bytes; grace 10 s"), l.get(0));
        for (String want : List.of(
                "alice > \"hello, echo\\n\"",
                "alice < \"hello, echo\\n\"",
                "bob   > \"a line ending in CRLF, as telnet sends it\\r\\n\"",
                "bob   < \"a line ending in CRLF, as telnet sends it\\r\\n\"",
                "carol > (a line of 9191 bytes)",
                "carol < \"error: line longer than 8192 bytes, discarded\\r\\n\"",
                "carol < \"still connected\\n\"",
                "bob   < \"bye\\r\\n\"",
                "bob   < (end of stream)",
                "alice < \"server shutting down: please disconnect within 10 s\\r\\n\"",
                "carol < \"server shutting down: please disconnect within 10 s\\r\\n\"",
                "alice < \"one more line before I go\\n\"",
                "echo: told 2 clients",
                "echo: all clients left")) {
            assertTrue(l.contains(want), want + " in\n" + r.out());
        }
        assertEquals("echo: stopped after serving 3 connections", l.get(l.size() - 1));
    }

    @Test
    void theDemoWithTwoLoopsAndOtherSettings() {
        Run r = run("--demo", "--loops", "2", "--max-line", "100", "--grace", "2.5", "--no-greeting");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("carol < \"error: line longer than 100 bytes, discarded\\r\\n\""), r.out());
        assertTrue(r.out().contains("please disconnect within 2.5 s"), r.out());
        assertTrue(r.out().contains(" with 2 loops (SO_REUSEPORT)"), r.out());
        assertTrue(r.lines().get(r.lines().size() - 1).matches("echo: stopped after serving 3 connections \\[\\d, \\d\\] by loop"),
                r.out());
    }
}
