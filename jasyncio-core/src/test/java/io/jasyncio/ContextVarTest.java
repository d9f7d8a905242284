package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** contextvars: per-task copies, callbacks in their scheduler's context, tokens, Context.run. */
class ContextVarTest {
    private static final ContextVar<String> REQUEST = new ContextVar<>("request");
    private static final ContextVar<Integer> DEPTH = new ContextVar<>("depth", 0);

    @Test
    void getSetResetAndDefaults() {
        Loops.run(() -> {
            assertThrows(NoSuchElementException.class, REQUEST::get);
            assertEquals("none", REQUEST.get("none"));
            assertEquals(0, DEPTH.get());
            ContextVar.Token<String> t1 = REQUEST.set("a");
            ContextVar.Token<String> t2 = REQUEST.set("b");
            assertEquals("b", REQUEST.get());
            assertTrue(t2.hadValue() && !t1.hadValue());
            REQUEST.reset(t2);
            assertEquals("a", REQUEST.get());
            assertThrows(IllegalStateException.class, () -> REQUEST.reset(t2));
            REQUEST.reset(t1);
            assertThrows(NoSuchElementException.class, REQUEST::get);
            @SuppressWarnings({"unchecked", "rawtypes"})
            ContextVar<String> wrong = (ContextVar) DEPTH;
            ContextVar.Token<String> t3 = REQUEST.set("c");
            assertThrows(IllegalArgumentException.class, () -> wrong.reset(t3));
        });
    }

    @Test
    void aTaskStartsWithACopyOfItsCreatorsContext() {
        Loops.run(() -> {
            REQUEST.set("parent");
            List<String> seen = new ArrayList<>();
            Task<Void> child = Asyncio.createTask(() -> {
                seen.add("child sees " + REQUEST.get());
                REQUEST.set("child");
                Asyncio.sleep(1);
                seen.add("child keeps " + REQUEST.get());
            });
            Task<Void> sibling = Asyncio.createTask(() -> {
                Asyncio.sleep(0.5);
                seen.add("sibling sees " + REQUEST.get());
            });
            REQUEST.set("parent changed later");
            Asyncio.gather(child, sibling).await();
            assertEquals(List.of("child sees parent", "sibling sees parent", "child keeps child"), seen);
            assertEquals("parent changed later", REQUEST.get());
            assertEquals("child", child.getContext().get(REQUEST));
        });
    }

    @Test
    void callbacksRunInTheContextThatScheduledThem() {
        Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            REQUEST.set("scheduler");
            AsyncFuture<String> soon = loop.createFuture();
            AsyncFuture<String> later = loop.createFuture();
            loop.callSoon(() -> {
                soon.setResult(REQUEST.get());
                REQUEST.set("changed inside the callback");
            });
            loop.callLater(1, () -> later.setResult(REQUEST.get()));
            REQUEST.set("after scheduling");
            assertEquals("scheduler", soon.await());
            assertEquals("after scheduling", REQUEST.get(), "a callback's changes stay in its copy");
            assertEquals("scheduler", later.await());
            AsyncFuture<Integer> f = loop.createFuture();
            AtomicReference<String> inDoneCallback = new AtomicReference<>();
            DEPTH.set(7);
            f.addDoneCallback(x -> inDoneCallback.set(String.valueOf(DEPTH.get())));
            f.setResult(1);
            Asyncio.sleep(0);
            assertEquals("7", inDoneCallback.get());
        });
    }

    @Test
    void contextRunHoldsAcrossAwaits() {
        Loops.run(() -> {
            REQUEST.set("outer");
            Context other = new Context();
            String inside = other.run(() -> {
                REQUEST.set("inner");
                Asyncio.sleep(1);              // another task runs meanwhile
                return REQUEST.get();
            });
            assertEquals("inner", inside);
            assertEquals("outer", REQUEST.get());
            assertEquals("inner", other.get(REQUEST));
            assertTrue(other.contains(REQUEST) && other.size() == 1);
        });
    }

    @Test
    void toThreadSeesTheCallersValues() {
        Loops.runRealTime(() -> {
            REQUEST.set("from the task");
            assertEquals("from the task", Asyncio.toThread(() -> REQUEST.get()));
        });
    }

    @Test
    void threadsHaveTheirOwnContext() {
        // In a context of its own, so as not to leave values in the test thread's context.
        new Context().run(this::threadsHaveTheirOwnContextBody);
    }

    @Test
    void theMainTaskCopiesTheCallingThreadsContext() {
        new Context().run(() -> {
            REQUEST.set("caller");
            assertEquals("caller", Asyncio.run(() -> REQUEST.get()));
        });
    }

    private void threadsHaveTheirOwnContextBody() throws Exception {
        REQUEST.set("main thread");
        AtomicReference<String> other = new AtomicReference<>();
        Thread t = new Thread(() -> other.set(REQUEST.get("unset")));
        t.start();
        t.join();
        assertEquals("unset", other.get());
        assertEquals("main thread", REQUEST.get());
        Context copy = Context.copyCurrent();
        REQUEST.set("changed");
        assertEquals("main thread", copy.get(REQUEST));
        assertNull(new Context().get(REQUEST));
        assertFalse(copy.vars().isEmpty());
        assertSame(REQUEST, copy.vars().get(copy.vars().indexOf(REQUEST)));
    }
}
