package io.jasyncio.conformance;

import io.jasyncio.subprocess.AsyncProcess;
import io.jasyncio.subprocess.Subprocess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** CPython's Lib/test/test_asyncio/test_subprocess.py, where jasyncio keeps a difference. */
@Timeout(30)
class SubprocessConformanceTest {

    /**
     * test_send_signal / test_terminate / test_kill, once the child has exited: asyncio's
     * Process raises ProcessLookupError (base_subprocess's _check_proc); jasyncio's does nothing,
     * so a shutdown path need not race the child's exit. A kept difference: see
     * docs/differences.md ("Signalling a child that has exited").
     */
    @Test
    void sendSignalAfterExit() {
        Conformance.Errors errors = new Conformance.Errors();
        int code = Conformance.runRealTime(errors, () -> {
            AsyncProcess p = Subprocess.createSubprocessExec(List.of("/bin/sh", "-c", "exit 7"),
                    io.jasyncio.subprocess.SubprocessOptions.DEFAULTS);
            assertEquals(7, p.waitFor());
            p.sendSignal("HUP");
            p.sendSignal(1);
            p.terminate();
            p.kill();
            return p.waitFor();
        });
        assertEquals(7, code, "the return code is the exit's, not a signal's");
        assertEquals(List.of(), errors.all());
    }
}
