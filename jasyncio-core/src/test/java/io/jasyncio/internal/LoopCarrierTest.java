package io.jasyncio.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The dedicated carrier survives what its work throws: its death would freeze every task of its loop. */
@Timeout(30)
class LoopCarrierTest {

    /**
     * An error thrown while the carrier selects for a loop's thread (here by the sink that takes
     * the selected keys) goes back to that thread, and the carrier goes on running the others.
     */
    @Test
    void anErrorInASelectGoesBackToTheRequesterAndTheCarrierLivesOn() throws Exception {
        assumeTrue(Carriers.available(), "needs --add-opens java.base/java.lang=ALL-UNNAMED");
        LoopCarrier carrier = new LoopCarrier("test-carrier");
        try (Selector selector = Selector.open()) {
            Pipe pipe = Pipe.open();
            pipe.source().configureBlocking(false);
            pipe.source().register(selector, SelectionKey.OP_READ);
            pipe.sink().write(java.nio.ByteBuffer.wrap(new byte[] {1}));
            NoClassDefFoundError injected = new NoClassDefFoundError("injected/Missing");
            CompletableFuture<Throwable> seen = new CompletableFuture<>();
            Carriers.builderOn(carrier).start(() -> {
                try {
                    carrier.selectFor(selector, 1000, key -> {
                        throw injected;
                    });
                    seen.complete(null);
                } catch (Throwable e) {
                    seen.complete(e);
                }
            });
            assertSame(injected, seen.get(10, TimeUnit.SECONDS));
            CompletableFuture<String> after = new CompletableFuture<>();
            Carriers.builderOn(carrier).start(() -> after.complete("still running"));
            assertEquals("still running", after.get(10, TimeUnit.SECONDS));
            pipe.source().close();
            pipe.sink().close();
        } finally {
            carrier.shutdown();
        }
    }
}
