package io.jasyncio.examples;

import io.jasyncio.monitor.Monitor;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's diagnostic commands, wired to the monitor module. */
class LauncherTest {

    private static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void monitorRunsOneCommand() {
        try (Monitor m = Monitor.start("127.0.0.1:0")) {
            String addr = "127.0.0.1:" + m.address().getPort();
            int[] code = new int[1];
            String out = capture(() -> code[0] = new CommandLine(new Main()).execute("monitor", addr, "help"));
            assertEquals(0, code[0]);
            assertTrue(out.contains("where ID"), out);
            String bad = capture(() -> code[0] = new CommandLine(new Main()).execute("monitor", addr, "nonsense"));
            assertEquals(1, code[0]);
            assertTrue(bad.startsWith("error: unknown command"), bad);
        }
    }

    @Test
    void psOfAProcessThatIsNotAJvmFails() {
        long notAJvm = ProcessHandle.current().parent().orElseThrow().pid();
        assertEquals(1, new CommandLine(new Main()).execute("ps", Long.toString(notAJvm)));
    }

    @Test
    void helpListsThePrograms() {
        String out = capture(() -> new CommandLine(new Main()).execute("--help"));
        assertTrue(out.contains("cutlery") && out.contains("ps") && out.contains("monitor") && out.contains("--monitor"), out);
    }
}
