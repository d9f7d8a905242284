package io.jasyncio.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./jasyncio ps PID against a real second JVM. */
@Timeout(120)
class ProcessTasksTest {

    @Test
    void readsTheTasksOfAnotherProcess() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                TargetMain.class.getName()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            String tree = ProcessTasks.read(p.pid(), ProcessTasks.View.TREE);
            assertTrue(tree.contains("target-worker") && tree.contains("awaiting a future"), tree);
            String json = ProcessTasks.read(p.pid(), ProcessTasks.View.JSON);
            assertTrue(json.startsWith("[{\"loop\":") && json.contains("target-worker"), json);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aProcessThatIsNotAJvmIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> ProcessTasks.read(ProcessHandle.current().parent().orElseThrow().pid(), ProcessTasks.View.TREE));
        assertTrue(e.getMessage().startsWith("cannot attach to process"), e.getMessage());
    }
}
