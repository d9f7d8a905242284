package io.jasyncio.examples;

import io.jasyncio.monitor.Monitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's command line through its picocli entry point ({@link Main#commandLine()}). */
@Timeout(120)
class LauncherTest {

    /** What one run printed, and its exit status. */
    record Run(int status, String out, String err) {
        boolean noStackTrace() {
            return !out.contains("\tat ") && !err.contains("\tat ");
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void monitorRunsOneCommand() {
        try (Monitor m = Monitor.start("127.0.0.1:0")) {
            String addr = "127.0.0.1:" + m.address().getPort();
            Run help = run("monitor", addr, "help");
            assertEquals(0, help.status(), help.toString());
            assertTrue(help.out().contains("where ID"), help.out());
            Run bad = run("monitor", addr, "nonsense");
            assertEquals(1, bad.status());
            assertEquals("monitor: unknown command 'nonsense'; type help", bad.err().strip());
            assertEquals("", bad.out());
        }
    }

    @Test
    void monitorErrorsAreOneLineWithANonZeroStatus() throws Exception {
        int port = freePort();
        Run refused = run("monitor", "127.0.0.1:" + port, "tree");
        assertEquals(1, refused.status());
        assertTrue(refused.err().startsWith("monitor: cannot talk to the monitor at 127.0.0.1:" + port + ": "), refused.err());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        Run unknownHost = run("monitor", "no-such-host.invalid:1", "tree");
        assertEquals(1, unknownHost.status());
        assertTrue(unknownHost.err().contains("unknown host 'no-such-host.invalid'") && unknownHost.noStackTrace(),
                unknownHost.err());
        Run badAddress = run("monitor", "host:port", "tree");
        assertEquals(2, badAddress.status());
        assertEquals("monitor: not a HOST:PORT address: 'host:port'", badAddress.err().strip());
        try (Monitor guarded = Monitor.start("127.0.0.1:0", "t0ken")) {
            String addr = "127.0.0.1:" + guarded.address().getPort();
            Run noToken = run("monitor", addr, "ps");
            assertEquals(1, noToken.status());
            assertTrue(noToken.err().startsWith("monitor: this monitor needs a token first"), noToken.err());
            Run withToken = run("monitor", "--token", "t0ken", addr, "loops");
            assertEquals(0, withToken.status(), withToken.toString());
            Run wrong = run("monitor", "--token", "nope", addr, "loops");
            assertEquals(1, wrong.status());
            assertTrue(wrong.err().contains("refused the token: wrong token"), wrong.err());
        }
    }

    @Test
    void aMonitorThatCannotStartIsOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = run("cutlery", "--monitor=127.0.0.1:" + taken.getLocalPort(), "--tables", "1");
            assertEquals(1, r.status(), r.toString());
            assertTrue(r.err().startsWith("jasyncio: --monitor: cannot start the jasyncio monitor on 127.0.0.1:"), r.err());
            assertTrue(r.noStackTrace(), r.err());
        }
        Run bad = run("cutlery", "--monitor=nowhere:x");
        assertEquals(2, bad.status());
        assertEquals("jasyncio: --monitor: not a HOST:PORT address: 'nowhere:x'", bad.err().strip());
    }

    @Test
    void theMonitorOptionIsOfferedWhereALoopRuns() throws Exception {
        for (String program : Main.MONITORED) {
            assertTrue(run(program, "--help").out().contains("--monitor[=HOST:PORT]"), program);
        }
        assertTrue(run("mq", "server", "--help").out().contains("--monitor-token"));
        for (String[] tool : new String[][] {{"ps", "--help"}, {"monitor", "--help"}, {"--help"}}) {
            String help = run(tool).out();
            assertFalse(help.contains("--monitor[") || help.contains("--monitor-token"), String.join(" ", tool) + ": " + help);
        }
        Run r = run("ps", "--monitor", "1");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("Unknown option: '--monitor'"), r.err());
        // Given to a program, it serves; the line saying where goes to standard error.
        int port = freePort();
        Run served = run("cutlery", "--monitor=127.0.0.1:" + port, "--tables", "2", "--serve-time", "0");
        assertEquals(0, served.status(), served.toString());
        assertTrue(served.err().contains("jasyncio monitor on 127.0.0.1:" + port), served.err());
        assertFalse(served.out().contains("monitor"), served.out());
    }

    @Test
    void psOfProcessesThatAreNotJvmsFails() {
        long notAJvm = ProcessHandle.current().parent().orElseThrow().pid();
        Run one = run("ps", Long.toString(notAJvm));
        assertEquals(1, one.status());
        Run two = run("ps", Long.toString(notAJvm), Long.toString(notAJvm));
        assertEquals(1, two.status());
        assertEquals(2, two.err().strip().lines().filter(l -> l.startsWith("ps: ")).count(), two.err());
        assertEquals(2, run("ps").status());
    }

    @Test
    void helpListsThePrograms() {
        Run top = run("--help");
        assertTrue(top.out().contains("cutlery") && top.out().contains("ps") && top.out().contains("monitor"), top.out());
        Run help = run("help");
        assertEquals(0, help.status());
        assertEquals(top.out(), help.out());
        Run one = run("help", "tcpcheck");
        assertEquals(0, one.status());
        assertEquals(run("tcpcheck", "--help").out(), one.out());
        Run unknown = run("help", "nosuch");
        assertTrue(unknown.status() != 0 && unknown.err().contains("nosuch"), unknown.toString());
    }

    @Test
    void anUnknownProgramIsAnErrorEvenWithHelp() {
        for (String[] args : new String[][] {{"nosuch", "--help"}, {"--help", "nosuch"}, {"nosuch"}}) {
            Run r = run(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r);
            assertTrue(r.err().contains("nosuch"), r.err());
            assertEquals("", r.out(), String.join(" ", args));
        }
        Run typo = run("echo", "--prot", "1");
        assertEquals(2, typo.status());
        assertTrue(typo.err().startsWith("jasyncio echo: Unknown option") && typo.err().contains("'--prot'"), typo.err());
    }

    @Test
    void helpTextNeverBreaksACommand() {
        CommandLine narrow = Main.commandLine();
        narrow.setUsageHelpAutoWidth(false);
        narrow.setUsageHelpWidth(80);
        checkExamples(narrow);
    }

    /** Every example line of a footer (indented by two spaces) comes out whole, on 80 columns. */
    private static void checkExamples(CommandLine c) {
        String help = c.getUsageMessage();
        int examples = 0;
        for (String line : c.getCommandSpec().usageMessage().footer()) {
            if (line.startsWith("  ")) {
                examples++;
                assertTrue(help.contains(line + System.lineSeparator()), c.getCommandName() + ": '" + line + "' broken in\n" + help);
            }
        }
        assertTrue(examples > 0 || c.getCommandName().equals("help") || c.getCommandSpec().parent() != null
                || c.getCommandName().equals("jasyncio") || c.getCommandName().equals("cutlery"), c.getCommandName() + " has no examples");
        for (CommandLine sub : c.getSubcommands().values()) {
            checkExamples(sub);
        }
    }
}
