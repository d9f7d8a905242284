package io.jasyncio.examples.cutlery;

import io.jasyncio.examples.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CutleryTest {

    @Test
    void tasksKeepTheKitchenExact() {
        Cutlery.Result r = Cutlery.withTasks(8, 2_000, 50, 60);
        assertTrue(r.balanced(), r.toString());
        assertEquals(50, r.knivesAfter());
        assertEquals(60, r.forksAfter());
    }

    @Test
    void threadsRunAndReport() {
        // Whether threads lose updates in a given run is up to the machine; the result must say so honestly.
        Cutlery.Result r = Cutlery.withThreads(4, 2_000, 100, 100);
        assertEquals(r.knivesAfter() == 100 && r.forksAfter() == 100, r.balanced());
        assertEquals("threads", r.mode());
    }

    @Test
    void commandLine() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute("cutlery", "--bots", "3", "--tables", "100"));
        assertEquals(2, cl.execute("cutlery", "--bots", "0"));
        assertEquals(2, cl.execute("cutlery", "--no-such-option"));
        assertTrue(err.toString().contains("Unknown option"), err.toString());
    }
}
