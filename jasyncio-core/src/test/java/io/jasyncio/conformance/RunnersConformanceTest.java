package io.jasyncio.conformance;

import io.jasyncio.Asyncio;
import io.jasyncio.ChildJvm;
import io.jasyncio.Context;
import io.jasyncio.ContextVar;
import io.jasyncio.Runner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPython's Lib/test/test_asyncio/test_runners.py, case by case. */
@Timeout(90)
class RunnersConformanceTest {
    private ChildJvm child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.process.destroyForcibly();
        }
    }

    /** test_run_keeps_context: every run of one Runner runs in the runner's one context. */
    @Test
    void runKeepsContext() {
        ContextVar<Integer> cvar = new ContextVar<>("cvar", -1);
        try (Runner runner = new Runner()) {
            assertEquals(-1, runner.run(() -> f(cvar, 1)));
            assertEquals(1, runner.run(() -> f(cvar, 2)));
            Context ctx = runner.run(Context::copyCurrent);
            assertEquals(2, ctx.get(cvar));
        }
        assertEquals(-1, cvar.get()); // the caller's own context is not the runner's
    }

    private static int f(ContextVar<Integer> cvar, int val) {
        int old = cvar.get();
        Asyncio.sleep(0);
        cvar.set(val);
        return old;
    }

    /**
     * test_interrupt_cancelled_task: a SIGINT that comes while the main task is already being
     * cancelled ends the run with CancelledError, not KeyboardInterrupt (a real signal, in a child
     * JVM, whose runner claims SIGINT).
     */
    @Test
    void interruptCancelledTask() throws Exception {
        child = new ChildJvm(io.jasyncio.SignalChild.class, List.of(), "interrupt-cancelled");
        child.expect("ready");
        child.kill("INT");
        String line = child.expect("result *");
        assertEquals("result CancelledError", line, child.seen.toString());
        // CPython counts two requests and its runner withdraws one: 1 is left, as here.
        assertTrue(child.seen.contains("cancelling 1"), child.seen.toString());
        assertEquals(0, child.exit(), child.seen.toString());
        assertTrue(child.seen.contains("exit 0"), child.seen.toString());
    }
}
