package io.jasyncio.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live monitor through the real {@code ./jasyncio} script, as the README shows it. */
@Timeout(180)
class LauncherScriptTest {

    @Test
    void monitorTreeOfAProgramStartedWithMonitor() throws Exception {
        try (Launcher echo = Launcher.start(Map.of(), "echo", "--port", "0", "--monitor=127.0.0.1:0")) {
            String port = echo.awaitErr("jasyncio monitor on 127\\.0\\.0\\.1:(\\d+)");
            echo.awaitErr("^echo: listening on 127\\.0\\.0\\.1:\\d+");      // where it listens: stderr, as every program
            String address = "127.0.0.1:" + port;

            Launcher.Run tree = Launcher.run("monitor", address, "tree");
            assertEquals(0, tree.status(), tree.toString());
            assertTrue(tree.out().contains("EventLoop") && tree.out().contains("(T) "), tree.toString());

            // The command word alone: the address is the default, here from JASYNCIO_MONITOR.
            Launcher.Run byDefault = Launcher.run(Map.of("JASYNCIO_MONITOR", address), "monitor", "tree");
            assertEquals(0, byDefault.status(), byDefault.toString());
            assertTrue(byDefault.out().contains("(T) "), byDefault.toString());

            Launcher.Run json = Launcher.run("monitor", address, "json", "ps");
            assertEquals(0, json.status(), json.toString());
            assertTrue(json.out().startsWith("[{") && json.out().contains("\"tasks\""), json.toString());

            String pid = Long.toString(echo.process.pid());
            Launcher.Run ps = Launcher.run("ps", "--table", pid, pid);
            assertEquals(0, ps.status(), ps.toString());
            assertTrue(ps.out().startsWith("== PID " + pid + " ==\n"), ps.out());
            assertEquals(2, ps.out().lines().filter(l -> l.equals("== PID " + pid + " ==")).count(), ps.out());
            Launcher.Run psJson = Launcher.run("ps", "--json", pid, pid);
            assertEquals(0, psJson.status(), psJson.toString());
            for (String line : psJson.out().strip().split("\n")) {
                assertTrue(line.startsWith("{\"pid\":" + pid + ",\"loops\":[") && line.endsWith("]}"), line);
            }

            assertTrue(!echo.errSoFar().contains("Exception") && !echo.errSoFar().contains("Error"), echo.errSoFar());
        }
    }

    @Test
    void everyServerSaysWhereItListensOnStandardError() throws Exception {
        try (Launcher mq = Launcher.start(Map.of(), "mq", "server", "--port", "0", "--monitor=127.0.0.1:0")) {
            mq.awaitErr("^jasyncio monitor on 127\\.0\\.0\\.1:\\d+");
            mq.awaitErr("^mq server: listening on 127\\.0\\.0\\.1:\\d+");
        }
    }

    @Test
    void errorsAreOneLineWithANonZeroStatus() throws Exception {
        Launcher.Run refused = Launcher.run(Map.of("JASYNCIO_MONITOR", "127.0.0.1:1"), "monitor", "tree");
        assertEquals(1, refused.status(), refused.toString());
        assertTrue(refused.err().startsWith("monitor: cannot talk to the monitor at 127.0.0.1:1: "), refused.toString());
        assertTrue(refused.noStackTrace() && refused.err().strip().lines().count() == 1, refused.toString());
        Launcher.Run unknown = Launcher.run("nosuch", "--help");
        assertEquals(2, unknown.status(), unknown.toString());
        assertTrue(unknown.err().startsWith("jasyncio: no program named 'nosuch'") && unknown.out().isEmpty(), unknown.toString());
        Launcher.Run help = Launcher.run("help", "monitor");
        assertEquals(0, help.status(), help.toString());
        assertTrue(help.out().contains("Usage: jasyncio monitor"), help.out());
    }
}
