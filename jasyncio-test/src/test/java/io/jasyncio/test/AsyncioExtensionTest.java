package io.jasyncio.test;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs the sample tests through JUnit and checks each outcome and message. */
class AsyncioExtensionTest {

    private static Events run(Class<?> c) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(c)).execute().testEvents();
    }

    private static String failureOf(Class<?> c) {
        Events e = run(c);
        assertEquals(1, e.failed().count(), () -> c.getSimpleName() + " should fail once: " + e.list());
        Throwable t = e.failed().list().get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).orElseThrow();
        return String.valueOf(t.getMessage());
    }

    @Test
    void passingTestsPass() {
        Events e = run(Samples.Passing.class);
        assertEquals(4, e.succeeded().count(), () -> e.failed().list().toString());
        assertEquals(1, run(Samples.ClassLevel.class).succeeded().count());
    }

    @Test
    void aLeftoverTaskFailsTheTestWithADump() {
        String m = failureOf(Samples.LeavesATask.class);
        assertTrue(m.startsWith("The test left 1 task pending"), m);
        assertTrue(m.contains("forgotten child") && m.contains("awaiting sleep until 100.000"), m);
    }

    @Test
    void anUnretrievedExceptionFailsTheTest() {
        String m = failureOf(Samples.NeverRetrieves.class);
        assertTrue(m.contains("never retrieved the exception") && m.contains("failing child"), m);
    }

    @Test
    void anErrorReachingTheHandlerFailsTheTest() {
        String m = failureOf(Samples.HandlerError.class);
        assertTrue(m.contains("Errors reached the loop's exception handler") && m.contains("from a callback"), m);
    }

    @Test
    void anUnclosedAsyncGeneratorFailsTheTestWithWhereItWasMade() {
        String m = failureOf(Samples.LeavesAGenerator.class);
        assertTrue(m.contains("an async generator was not closed before the loop shut down"), m);
        assertTrue(m.contains("AsyncGenerator[numbers]") && m.contains("Samples$LeavesAGenerator.stepsAndForgets"), m);
    }

    @Test
    void anUnclosedServerFailsTheTestWithWhereItWasMade() {
        String m = failureOf(Samples.LeavesAServerOpen.class);
        assertTrue(m.contains("unclosed Server[/127.0.0.1:"), m);
        assertTrue(m.contains("listensAndForgets"), "debug mode names where it was created: " + m);
    }

    @Test
    void aStuckTestFailsAtOnceWithADump() {
        String m = failureOf(Samples.Stuck.class);
        assertTrue(m.startsWith("The test is stuck"), m);
        assertTrue(m.contains("waiter") && m.contains("awaiting a future"), m);
    }

    @Test
    void aHungTestFailsAfterItsTimeoutWithADump() {
        String m = failureOf(Samples.Hangs.class);
        assertTrue(m.startsWith("The test did not finish within 0.5 s of real time"), m);
        assertTrue(m.contains("blocksTheLoop"), "the dump shows where the loop is held:\n" + m);
    }

    @Test
    void assertionFailuresComeThroughUnchanged() {
        String m = failureOf(Samples.FailsAnAssertion.class);
        assertTrue(m.startsWith("plainly wrong"), m);
        assertTrue(List.of(m).size() == 1);
    }
}
