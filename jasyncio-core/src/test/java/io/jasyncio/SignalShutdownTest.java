package io.jasyncio;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real signals ({@code kill -s NAME PID}) sent to a child JVM running {@link SignalChild}: loop
 * handlers, the runner's SIGINT rule, the JVM's behaviour once a handler is gone. Each child is
 * bounded (see {@link ChildJvm}) and killed at the end of the test.
 */
@Timeout(90)
class SignalShutdownTest {
    private ChildJvm child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.process.destroyForcibly();
        }
    }

    private ChildJvm start(String... args) throws IOException {
        child = new ChildJvm(SignalChild.class, List.of(), args);
        return child;
    }

    @Test
    void loopHandlersRunOnTheLoopInTheirRegistrationContext() throws Exception {
        ChildJvm c = start("handlers");
        c.expect("ready");
        c.kill("HUP");
        c.expect("HUP on loop=true who=registrar");
        c.kill("TERM");
        c.expect("TERM");
        c.expect("removed true true");
        assertEquals(0, c.exit(), c.seen.toString());
        assertTrue(c.seen.contains("exit 0"), c.seen.toString());
    }

    @Test
    void sigintUnwindsTheTaskGroupThenRunThrowsKeyboardInterrupt() throws Exception {
        ChildJvm c = start("group");
        c.expect("ready");
        c.kill("INT");
        c.expect("KeyboardInterruptException cause=CancelledError");
        assertEquals(130, c.exit(), c.seen.toString());
        assertTrue(c.seen.containsAll(List.of("finally child-0", "finally child-1", "finally main")), c.seen.toString());
        assertTrue(c.seen.indexOf("finally main") > c.seen.indexOf("finally child-0"), c.seen.toString());
        assertTrue(c.seen.contains("shutdown hook"), c.seen.toString());
    }

    @Test
    void anUncaughtKeyboardInterruptEndsMainWithStatus1() throws Exception {
        ChildJvm c = start("group", "uncaught");
        c.expect("ready");
        c.kill("INT");
        c.expect("KeyboardInterruptException cause=CancelledError");
        assertEquals(1, c.exit(), c.seen.toString());
        assertTrue(c.stderrText().contains("io.jasyncio.KeyboardInterruptException: interrupted by SIGINT"), c.stderrText());
    }

    @Test
    void aSecondSigintWhileUnwindingExitsWith130() throws Exception {
        ChildJvm c = start("stubborn");
        c.expect("ready");
        c.kill("INT");
        c.expect("unwinding");
        c.kill("INT");
        assertEquals(130, c.exit(), c.seen.toString());
        assertTrue(c.seen.contains("shutdown hook"), c.seen.toString());
        assertFalse(c.seen.contains("never"), c.seen.toString());
    }

    @Test
    void optedOutTheFirstSigintExitsAtOnce() throws Exception {
        child = new ChildJvm(SignalChild.class, List.of("-Djasyncio.sigint=false"), "group");
        ChildJvm c = child;
        c.expect("ready");
        c.kill("INT");
        assertEquals(130, c.exit(), c.seen.toString());
        assertFalse(c.seen.contains("finally main"), c.seen.toString());
    }

    @Test
    void aRemovedHandlerLeavesTermToTheJvm() throws Exception {
        ChildJvm c = start("removed");
        c.expect("removed true");
        c.expect("ready");
        c.kill("TERM");
        assertEquals(143, c.exit(), c.seen.toString());
        assertFalse(c.seen.contains("TERM handled"), c.seen.toString());
    }

    @Test
    void aClosedLoopLeavesTermToTheJvm() throws Exception {
        ChildJvm c = start("closed");
        c.expect("ready");
        c.kill("TERM");
        assertEquals(143, c.exit(), c.seen.toString());
        assertFalse(c.seen.contains("TERM handled"), c.seen.toString());
    }

    @Test
    void aLoopThatHandlesSigintItselfIsLeftAlone() throws Exception {
        ChildJvm c = start("own-int");
        c.expect("ready");
        c.kill("INT");
        c.expect("my INT");
        c.expect("returned");
        assertEquals(0, c.exit(), c.seen.toString());
    }

    @Test
    void aMainTaskThatAbsorbsTheCancellationEndsNormally() throws Exception {
        ChildJvm c = start("absorbed");
        c.expect("ready");
        c.kill("INT");
        c.expect("absorbed");
        assertEquals(0, c.exit(), c.seen.toString());
    }

    @Test
    void underXrsTheShutdownSignalsAreRefusedAndTheRunnerStaysOut() throws Exception {
        child = new ChildJvm(SignalChild.class, List.of("-Xrs"), "xrs");
        ChildJvm c = child;
        String refused = c.expect("runner claims 0; refused: *");
        assertTrue(refused.contains("SIGTERM cannot be handled") && refused.contains("-Xrs"), refused);
        assertEquals(0, c.exit(), c.seen.toString());
    }
}
