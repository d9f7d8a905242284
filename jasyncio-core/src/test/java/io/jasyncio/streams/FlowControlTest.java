package io.jasyncio.streams;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncio's FlowControlMixin: drains wait while paused, all wake together, a lost connection fails them. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FlowControlTest {

    @Test
    void drainReturnsAtOnceUnlessPausedAndEveryWaiterWakesOnResume() {
        StreamLoops.run(() -> {
            FlowControl fc = new FlowControl();
            fc.drainHelper();
            fc.pauseWriting();
            assertTrue(fc.isWritingPaused());
            Order order = new Order();
            List<Task<Void>> drains = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int step = i + 2;
                drains.add(Asyncio.createTask(() -> {
                    fc.drainHelper();
                    order.expect(step);
                }));
            }
            Asyncio.sleep(0.1);
            for (Task<Void> d : drains) {
                assertFalse(d.isDone());
            }
            order.expect(1);
            fc.resumeWriting();
            for (Task<Void> d : drains) {
                d.await();
            }
            order.finish(5);
        });
    }

    @Test
    void aCancelledDrainLeavesTheOthersWaiting() {
        StreamLoops.run(() -> {
            FlowControl fc = new FlowControl();
            fc.pauseWriting();
            Task<Void> a = Asyncio.createTask(fc::drainHelper);
            Task<Void> b = Asyncio.createTask(fc::drainHelper);
            Asyncio.sleep(0.01);
            a.cancel();
            assertThrows(CancelledError.class, a::await);
            assertFalse(b.isDone());
            fc.resumeWriting();
            b.await();
        });
    }

    @Test
    void losingTheConnectionWhilePausedFailsTheDrainsWithItsException() {
        StreamLoops.run(() -> {
            FlowControl fc = new FlowControl();
            fc.pauseWriting();
            Task<Void> a = Asyncio.createTask(fc::drainHelper);
            Task<Void> closed = Asyncio.createTask(() -> fc.waitClosed(null));
            Asyncio.sleep(0.01);
            IOException reset = new SocketException("Connection reset");
            fc.connectionLost(reset);
            assertSame(reset, assertThrows(SocketException.class, a::await));
            assertSame(reset, assertThrows(SocketException.class, closed::await));
            assertSame(reset, assertThrows(SocketException.class, () -> fc.waitClosed(null)));
            SocketException later = assertThrows(SocketException.class, fc::drainHelper);
            assertEquals("Connection lost", later.getMessage());
            assertTrue(fc.isConnectionLost());
        });
    }

    @Test
    void aRegularCloseWakesDrainsAndWaitClosedQuietly() {
        StreamLoops.run(() -> {
            FlowControl fc = new FlowControl();
            fc.pauseWriting();
            Task<Void> a = Asyncio.createTask(fc::drainHelper);
            Task<Void> closed = Asyncio.createTask(() -> fc.waitClosed(null));
            Asyncio.sleep(0.01);
            fc.connectionLost(null);
            a.await();
            closed.await();
            fc.waitClosed(null);
        });
    }
}
