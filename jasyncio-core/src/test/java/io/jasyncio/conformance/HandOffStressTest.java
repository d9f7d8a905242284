package io.jasyncio.conformance;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.CheckedRunnable;
import io.jasyncio.Task;
import io.jasyncio.channels.Channel;
import io.jasyncio.channels.Select;
import io.jasyncio.queues.AsyncLifoQueue;
import io.jasyncio.queues.AsyncPriorityQueue;
import io.jasyncio.queues.AsyncQueue;
import io.jasyncio.queues.JanusQueue;
import io.jasyncio.queues.QueueEmptyException;
import io.jasyncio.queues.QueueFullException;
import io.jasyncio.sync.AsyncBoundedSemaphore;
import io.jasyncio.sync.AsyncCondition;
import io.jasyncio.sync.AsyncLock;
import io.jasyncio.sync.AsyncSemaphore;
import io.jasyncio.sync.CapacityLimiter;
import io.jasyncio.sync.Held;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Randomized races of cancellation against hand-off, one test per primitive: in each round, tasks
 * wait on a fresh primitive while the main task hands things over and cancels waiters, often in
 * the same turn (the waiter was woken and is cancelled before it runs). Every item and permit is
 * counted: an item received twice or never, a permit that leaks or is doubled, or a round that
 * hangs, fails the test. Rounds are scaled by {@code -Djasyncio.stress.scale=N} (small by default)
 * and reseeded by {@code -Djasyncio.stress.seed=S}.
 */
@Timeout(120)
class HandOffStressTest {
    private static final int SCALE = Integer.getInteger("jasyncio.stress.scale", 1);
    private static final long SEED = Long.getLong("jasyncio.stress.seed", 20261208L);
    private static final int ROUNDS = 150 * SCALE;
    private static final int STEPS = 40;
    /** Virtual seconds a test may take before it counts as hung. */
    private static final double BOUND = 60.0 * SCALE;

    /** An item channel under test: awaiting and non-waiting forms. */
    interface Pipe {
        void put(int item);

        int get();

        /** @return whether it was added without waiting */
        boolean offer(int item);

        /** @return an item taken without waiting, or null */
        Integer poll();

        /**
         * Whether a put cancelled after the other side took its item can still be undone. A
         * channel's send cannot (the receiver already has the item): it returns, and a one-shot
         * send task cancelled at that moment ends cancelled although its item was delivered.
         */
        default boolean putCanBeUndone() {
            return true;
        }
    }

    // ---------------------------------------------------------------- item hand-offs

    @Test
    void queue() {
        items(max -> queuePipe(new AsyncQueue<>(max)));
    }

    @Test
    void lifoQueue() {
        items(max -> queuePipe(new AsyncLifoQueue<>(max)));
    }

    @Test
    void priorityQueue() {
        items(max -> queuePipe(new AsyncPriorityQueue<>(max)));
    }

    @Test
    void janusQueueAsyncSide() {
        items(max -> {
            JanusQueue<Integer>.AsyncSide q = new JanusQueue<Integer>(Asyncio.getRunningLoop(), max).async();
            return new Pipe() {
                public void put(int item) { q.put(item); }
                public int get() { return q.get(); }
                public boolean offer(int item) {
                    try {
                        q.putNowait(item);
                        return true;
                    } catch (QueueFullException e) {
                        return false;
                    }
                }
                public Integer poll() {
                    try {
                        return q.getNowait();
                    } catch (QueueEmptyException e) {
                        return null;
                    }
                }
            };
        });
    }

    /**
     * The thread-safe queue with real threads on its blocking side: a thread puts while one-shot
     * get tasks, accounted by their outcome, are cancelled at random (some just as an item was
     * handed to them from the thread); then one-shot put tasks race a taking thread the same way.
     * On the system clock, as threads are involved.
     */
    @Test
    void janusQueueWithThreads() throws Exception {
        int n = 1000 * SCALE;
        Asyncio.run(() -> Asyncio.timeout(60).run(() -> {
            SplittableRandom rnd = new SplittableRandom(SEED);
            // Threads produce, tasks consume.
            JanusQueue<Integer> q = new JanusQueue<>(Asyncio.getRunningLoop(), 1 + rnd.nextInt(4));
            Thread producer = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        q.sync().put(i);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<Integer> received = new ArrayList<>();
            List<Task<Integer>> gets = new ArrayList<>();
            int idle = 0;
            while (received.size() < n && idle < 100) {
                // Once the producer is done and the queue is empty, a shortfall is a lost item.
                idle = !producer.isAlive() && q.qsize() == 0 ? idle + 1 : 0;
                for (int i = 0; i < 3; i++) {
                    gets.add(Asyncio.createTask(() -> q.async().get()));
                }
                Asyncio.sleep(rnd.nextInt(3) == 0 ? 0.0005 : 0);
                cancelOne(gets, rnd);
                for (java.util.Iterator<Task<Integer>> it = gets.iterator(); it.hasNext(); ) {
                    Task<Integer> t = it.next();
                    if (t.isDone()) {
                        it.remove();
                        if (!t.isCancelled()) {
                            received.add(t.result());
                        }
                    }
                }
            }
            for (Task<Integer> t : gets) {
                t.cancel();
                try {
                    received.add(t.await());
                } catch (CancelledError e) {
                    // took nothing
                }
            }
            Asyncio.toThread(() -> producer.join());
            assertEquals(0, q.qsize());
            assertEquals(n, new HashSet<>(received).size(), "every item taken once");
            assertEquals(n, received.size(), "and only once");

            // Tasks produce, a thread consumes.
            JanusQueue<Integer> q2 = new JanusQueue<>(Asyncio.getRunningLoop(), 1 + rnd.nextInt(4));
            Set<Integer> taken = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicInteger duplicates = new java.util.concurrent.atomic.AtomicInteger();
            Thread consumer = Thread.ofPlatform().start(() -> {
                try {
                    for (;;) {
                        if (!taken.add(q2.sync().take())) {
                            duplicates.incrementAndGet();
                        }
                    }
                } catch (InterruptedException | io.jasyncio.queues.QueueShutDownException e) {
                    // done
                }
            });
            Set<Integer> sent = new HashSet<>();
            List<Task<Void>> puts = new ArrayList<>();
            List<Integer> putItems = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int item = i;
                putItems.add(item);
                puts.add(Asyncio.createTask(() -> q2.async().put(item)));
                if (i % 3 == 2) {
                    Asyncio.sleep(rnd.nextInt(3) == 0 ? 0.0005 : 0);
                    cancelOne(puts.subList(Math.max(0, puts.size() - 6), puts.size()), rnd);
                }
            }
            for (int i = 0; i < puts.size(); i++) {
                try {
                    puts.get(i).await();
                    sent.add(putItems.get(i));
                } catch (CancelledError e) {
                    // added nothing
                }
            }
            while (q2.qsize() > 0) {
                Asyncio.sleep(0.001);
            }
            q2.shutdown(false);
            Asyncio.toThread(() -> consumer.join());
            assertEquals(0, duplicates.get());
            assertEquals(sent, taken, "every item put was taken, and no cancelled put's item");
            return null;
        }));
    }

    @Test
    void channel() {
        items(max -> {
            Channel<Integer> ch = new Channel<>(max == 0 ? Channel.RENDEZVOUS : max);
            return new Pipe() {
                public void put(int item) { ch.send(item); }
                public int get() { return ch.receive(); }
                public boolean offer(int item) { return ch.trySend(item); }
                public Integer poll() { return ch.tryReceive(); }
                public boolean putCanBeUndone() { return false; }
            };
        });
    }

    @Test
    void select() {
        items(max -> {
            Channel<Integer> ch = new Channel<>(max == 0 ? Channel.RENDEZVOUS : max);
            Channel<Integer> never = new Channel<>();
            return new Pipe() {
                public void put(int item) {
                    Select.select(ch.onSend(item, () -> true), never.onReceive(x -> false));
                }
                public int get() {
                    for (;;) {
                        Integer v = Select.select(never.onReceive(x -> x), ch.onReceive(x -> x), Select.onTimeout(0.001, () -> null));
                        if (v != null) {
                            return v;
                        }
                    }
                }
                public boolean offer(int item) { return ch.trySend(item); }
                public Integer poll() { return ch.tryReceive(); }
                public boolean putCanBeUndone() { return false; }
            };
        });
    }

    private static Pipe queuePipe(AsyncQueue<Integer> q) {
        return new Pipe() {
            public void put(int item) { q.put(item); }
            public int get() { return q.get(); }
            public boolean offer(int item) {
                try {
                    q.putNowait(item);
                    return true;
                } catch (QueueFullException e) {
                    return false;
                }
            }
            public Integer poll() {
                try {
                    return q.getNowait();
                } catch (QueueEmptyException e) {
                    return null;
                }
            }
        };
    }

    /** Rounds of getters and putters against cancellations; every item sent is received exactly once. */
    private void items(IntFunction<Pipe> make) {
        long[] races = new long[1];
        Conformance.run(BOUND, () -> {
            SplittableRandom rnd = new SplittableRandom(SEED);
            for (int round = 0; round < ROUNDS; round++) {
                Pipe p = make.apply(rnd.nextInt(3));
                Set<Integer> sent = new HashSet<>();
                List<Integer> received = new ArrayList<>();
                int[] ids = new int[1];
                List<Task<Void>> tasks = new ArrayList<>();
                IntSupplier id = () -> ids[0]++;
                CheckedRunnable getter = () -> {
                    for (;;) {
                        received.add(p.get());
                    }
                };
                CheckedRunnable putter = () -> {
                    for (int i = 0; i < 3; i++) {
                        int item = id.getAsInt();
                        p.put(item);
                        sent.add(item);
                    }
                };
                // One-shot tasks whose outcome is the accounting, as asyncio's tests use them: a
                // get task that completes took its result, one that ends cancelled took nothing;
                // a put task that completes added its item, one that ends cancelled did not.
                List<Task<Integer>> gets = new ArrayList<>();
                List<Task<Void>> puts = new ArrayList<>();
                List<Integer> putItems = new ArrayList<>();
                for (int i = 0; i < 2 + rnd.nextInt(3); i++) {
                    tasks.add(Asyncio.createTask(rnd.nextBoolean() ? getter : putter));
                }
                for (int step = 0; step < STEPS; step++) {
                    switch (rnd.nextInt(9)) {
                        case 7 -> gets.add(Asyncio.createTask(p::get));
                        case 8 -> {
                            int item = id.getAsInt();
                            putItems.add(item);
                            puts.add(Asyncio.createTask(() -> p.put(item)));
                        }
                        case 0 -> Asyncio.sleep(0);
                        case 1 -> { // an item handed to a waiting getter, which may be cancelled at once
                            int item = id.getAsInt();
                            if (p.offer(item)) {
                                sent.add(item);
                                cancelOne(rnd.nextBoolean() ? tasks : gets, rnd);
                                races[0]++;
                            }
                        }
                        case 2 -> { // room handed to a waiting putter, which may be cancelled at once
                            Integer v = p.poll();
                            if (v != null) {
                                received.add(v);
                                cancelOne(rnd.nextBoolean() ? tasks : puts, rnd);
                                races[0]++;
                            }
                        }
                        case 3 -> cancelOne(rnd.nextInt(3) == 0 ? tasks : rnd.nextBoolean() ? gets : puts, rnd);
                        case 4 -> tasks.add(Asyncio.createTask(rnd.nextBoolean() ? getter : putter));
                        case 5 -> Asyncio.getRunningLoop().callSoon(() -> cancelOne(tasks, rnd));
                        default -> {
                            Integer v = p.poll();
                            if (v != null) {
                                received.add(v);
                            }
                        }
                    }
                }
                List<Task<?>> all = new ArrayList<>(tasks);
                all.addAll(gets);
                all.addAll(puts);
                for (Task<?> t : all) {
                    t.cancel();
                }
                for (Task<?> t : all) {
                    try {
                        t.await();
                    } catch (CancelledError expected) {
                        // every looping getter ends here
                    }
                }
                for (Task<Integer> t : gets) {
                    if (!t.isCancelled()) {
                        received.add(t.result());
                    }
                }
                for (int i = 0; i < puts.size(); i++) {
                    if (!puts.get(i).isCancelled()) {
                        sent.add(putItems.get(i));
                    }
                }
                for (Integer v; (v = p.poll()) != null; ) {
                    received.add(v);
                }
                Set<Integer> unique = new HashSet<>(received);
                if (!p.putCanBeUndone()) {
                    // A send task cancelled as its item was taken: delivered, at most once.
                    for (int i = 0; i < puts.size(); i++) {
                        if (puts.get(i).isCancelled() && unique.contains(putItems.get(i))) {
                            sent.add(putItems.get(i));
                        }
                    }
                }
                assertEquals(received.size(), unique.size(), "round " + round + ": an item was received twice: " + received);
                assertEquals(sent, unique, "round " + round + ": every item sent is received, and only those");
            }
        });
        assertTrue(races[0] > ROUNDS, "hand-off races happened: " + races[0]);
    }

    private static void cancelOne(List<? extends Task<?>> tasks, SplittableRandom rnd) {
        if (!tasks.isEmpty()) {
            tasks.get(rnd.nextInt(tasks.size())).cancel();
        }
    }

    // ---------------------------------------------------------------- permit hand-offs

    /** A primitive that lets at most {@code capacity} tasks in at once. */
    interface Gate {
        Held enter();

        int capacity();

        /** The body of a one-shot task that acquires and ends, holding what it acquired. */
        void acquireAndEnd();

        /**
         * Whether {@code t} holds a permit, where the primitive knows (null if it does not).
         *
         * @param t a task
         * @return whether it holds one
         */
        Boolean heldBy(Task<?> t);

        /** Releases what a finished one-shot task holds; false if only the holder may (a lock). */
        boolean releaseFor(Task<?> t);

        /** Checked once every task is gone: everything was given back, nothing doubled. */
        void assertFree(String where);
    }

    @Test
    void lock() {
        permits(rnd -> {
            AsyncLock l = new AsyncLock();
            return new Gate() {
                public Held enter() { return l.hold(); }
                public int capacity() { return 1; }
                public void acquireAndEnd() { l.acquire(); }
                public Boolean heldBy(Task<?> t) { return l.owner() == t; }
                public boolean releaseFor(Task<?> t) { return false; }
                public void assertFree(String where) {
                    assertFalse(l.isLocked(), where + ": " + l);
                    assertTrue(l.tryAcquire(), where);
                    l.release();
                }
            };
        });
    }

    @Test
    void semaphore() {
        permits(rnd -> semaphoreGate(new AsyncSemaphore(1 + rnd.nextInt(3))));
    }

    @Test
    void boundedSemaphore() {
        permits(rnd -> semaphoreGate(new AsyncBoundedSemaphore(1 + rnd.nextInt(3))));
    }

    private static Gate semaphoreGate(AsyncSemaphore s) {
        int n = s.availablePermits();
        return new Gate() {
            public Held enter() { return s.hold(); }
            public int capacity() { return n; }
            public void acquireAndEnd() { s.acquire(); }
            public Boolean heldBy(Task<?> t) { return null; }
            public boolean releaseFor(Task<?> t) {
                s.release();
                return true;
            }
            public void assertFree(String where) { assertEquals(n, s.availablePermits(), where + ": " + s); }
        };
    }

    @Test
    void capacityLimiter() {
        permits(rnd -> {
            int n = 1 + rnd.nextInt(3);
            CapacityLimiter c = new CapacityLimiter(n);
            return new Gate() {
                public Held enter() { return c.hold(); }
                public int capacity() { return n; }
                public void acquireAndEnd() { c.acquire(); }
                public Boolean heldBy(Task<?> t) { return c.borrowers().contains(t); }
                public boolean releaseFor(Task<?> t) {
                    c.releaseOnBehalfOf(t);
                    return true;
                }
                public void assertFree(String where) { assertEquals(0, c.borrowedTokens(), where + ": " + c); }
            };
        });
    }

    @Test
    void conditionsLock() {
        permits(rnd -> {
            AsyncCondition c = new AsyncCondition();
            return new Gate() {
                public Held enter() { return c.hold(); }
                public int capacity() { return 1; }
                public void acquireAndEnd() { c.acquire(); }
                public Boolean heldBy(Task<?> t) { return c.lock().owner() == t; }
                public boolean releaseFor(Task<?> t) { return false; }
                public void assertFree(String where) { assertFalse(c.lock().isLocked(), where); }
            };
        });
    }

    /**
     * Rounds of tasks entering a gate and leaving it, the main task holding it now and then and
     * cancelling tasks, often right after it handed its place over. Never more than its capacity
     * inside; at the end of a round everything was given back.
     */
    private void permits(java.util.function.Function<SplittableRandom, Gate> make) {
        long[] entries = new long[1];
        long[] races = new long[1];
        Conformance.run(BOUND, () -> {
            SplittableRandom rnd = new SplittableRandom(SEED);
            for (int round = 0; round < ROUNDS; round++) {
                Gate g = make.apply(rnd);
                int[] inside = new int[1];
                List<Task<Void>> tasks = new ArrayList<>();
                CheckedRunnable worker = () -> {
                    for (;;) {
                        try (Held h = g.enter()) {
                            inside[0]++;
                            entries[0]++;
                            if (inside[0] > g.capacity()) {
                                fail(inside[0] + " inside a gate for " + g.capacity());
                            }
                            try {
                                Asyncio.sleep(0);
                            } finally {
                                inside[0]--;
                            }
                        }
                    }
                };
                for (int i = 0; i < 2 + rnd.nextInt(4); i++) {
                    tasks.add(Asyncio.createTask(worker));
                }
                // One-shot tasks that acquire and end: one that ends cancelled must hold nothing.
                List<Task<Void>> shots = new ArrayList<>();
                Held mine = null;
                for (int step = 0; step < STEPS; step++) {
                    switch (rnd.nextInt(6)) {
                        case 0 -> Asyncio.sleep(0);
                        case 1 -> { // hand over, then cancel, in one turn
                            if (mine != null) {
                                inside[0]--;
                                mine.close();
                                mine = null;
                                cancelOne(rnd.nextBoolean() ? tasks : shots, rnd);
                                races[0]++;
                            }
                        }
                        case 2 -> {
                            if (mine == null) {
                                // Bounded: a one-shot task may keep a lock for good.
                                mine = Asyncio.moveOnAfter(0.001).run(g::enter);
                                if (mine != null) {
                                    inside[0]++;
                                    if (inside[0] > g.capacity()) {
                                        fail(inside[0] + " inside a gate for " + g.capacity());
                                    }
                                }
                            }
                        }
                        case 3 -> cancelOne(rnd.nextBoolean() ? tasks : shots, rnd);
                        case 4 -> shots.add(Asyncio.createTask(g::acquireAndEnd));
                        default -> tasks.add(Asyncio.createTask(worker));
                    }
                }
                if (mine != null) {
                    inside[0]--;
                    mine.close();
                }
                List<Task<Void>> all = new ArrayList<>(tasks);
                all.addAll(shots);
                for (Task<Void> t : all) {
                    t.cancel();
                }
                for (Task<Void> t : all) {
                    try {
                        t.await();
                    } catch (CancelledError expected) {
                        // every worker ends here
                    }
                }
                assertEquals(0, inside[0]);
                boolean stuck = false;
                for (Task<Void> t : shots) {
                    Boolean held = g.heldBy(t);
                    if (t.isCancelled()) {
                        assertTrue(held == null || !held, "round " + round + ": a cancelled acquisition holds a permit");
                    } else {
                        assertTrue(held == null || held, "round " + round + ": a finished acquisition holds nothing");
                        stuck |= !g.releaseFor(t); // a lock stays with its finished owner
                    }
                }
                if (!stuck) {
                    g.assertFree("round " + round);
                }
            }
        });
        assertTrue(entries[0] > ROUNDS, "tasks got in: " + entries[0]);
        assertTrue(races[0] > ROUNDS, "hand-off races happened: " + races[0]);
    }

    // ---------------------------------------------------------------- notifications

    /**
     * Consumers wait on a condition for items; the main task produces items with one notification
     * each and cancels consumers, often right after notifying. Consumer 0 is never cancelled, so
     * if no notification is lost, every item is consumed by the end of the round.
     */
    @Test
    void condition() {
        long[] consumed = new long[1];
        Conformance.run(BOUND, () -> {
            SplittableRandom rnd = new SplittableRandom(SEED);
            for (int round = 0; round < ROUNDS; round++) {
                AsyncCondition c = new AsyncCondition();
                int[] items = new int[1];
                int produced = 0;
                CheckedRunnable consumer = () -> {
                    try (Held h = c.hold()) {
                        for (;;) {
                            c.awaitFor(() -> items[0] > 0);
                            items[0]--;
                            consumed[0]++;
                        }
                    }
                };
                Task<Void> keeper = Asyncio.createTask(consumer);
                List<Task<Void>> tasks = new ArrayList<>();
                for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
                    tasks.add(Asyncio.createTask(consumer));
                }
                for (int step = 0; step < STEPS; step++) {
                    switch (rnd.nextInt(4)) {
                        case 0 -> Asyncio.sleep(0);
                        case 1 -> {
                            try (Held h = c.hold()) {
                                items[0]++;
                                produced++;
                                c.notifyOne();
                                cancelOne(tasks, rnd); // maybe the one just notified
                            }
                        }
                        case 2 -> cancelOne(tasks, rnd);
                        default -> tasks.add(Asyncio.createTask(consumer));
                    }
                }
                Asyncio.sleep(0.01);
                assertEquals(0, items[0], "round " + round + ": " + produced + " produced, a notification was lost");
                tasks.add(keeper);
                for (Task<Void> t : tasks) {
                    t.cancel();
                }
                for (Task<Void> t : tasks) {
                    try {
                        t.await();
                    } catch (CancelledError expected) {
                        // every consumer ends here
                    }
                }
                assertFalse(c.lock().isLocked());
            }
        });
        assertTrue(consumed[0] > 0);
    }
}
