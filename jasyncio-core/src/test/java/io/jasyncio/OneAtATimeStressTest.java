package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Semantics 1, as a property: many tasks doing random awaits never see another task of their
 * loop run between two of their own awaits. Scaled by {@code -Djasyncio.stress.scale=N}
 * (10,000 tasks at scale 1).
 */
class OneAtATimeStressTest {
    private static final int SCALE = Integer.getInteger("jasyncio.stress.scale", 1);

    /** The task that last started a stretch of code between awaits; plain fields on purpose. */
    private Object holder;
    private long steps;

    @Test
    void noTaskRunsBetweenTwoAwaitsOfAnother() {
        int tasks = 10_000 * SCALE;
        long seed = Long.getLong("jasyncio.stress.seed", 20261121L);
        long total = Loops.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            SplittableRandom root = new SplittableRandom(seed);
            List<Task<Integer>> all = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                SplittableRandom rnd = root.split();
                all.add(Asyncio.createTask(() -> body(loop, rnd)));
            }
            int sum = 0;
            for (int n : Asyncio.gather(all).await()) {
                sum += n;
            }
            return (long) sum;
        });
        assertEquals(total, steps, "every stretch was counted exactly once");
    }

    private int body(EventLoop loop, SplittableRandom rnd) {
        Object me = new Object();
        int stretches = 0;
        int awaits = 1 + rnd.nextInt(5);
        for (int a = 0; a <= awaits; a++) {
            stretch(me, rnd);
            stretches++;
            if (a == awaits) {
                break;
            }
            switch (rnd.nextInt(6)) {
                case 0 -> Asyncio.sleep(0);
                case 1 -> Asyncio.sleep(rnd.nextInt(3) / 1000.0);
                case 2 -> {
                    AsyncFuture<Integer> f = loop.createFuture();
                    loop.callSoon(() -> f.setResult(1));
                    f.await();
                }
                case 3 -> Asyncio.createTask(() -> {
                    Asyncio.sleep(0);
                    return 1;
                }).await();
                case 4 -> Asyncio.moveOnAfter(rnd.nextInt(2) / 1000.0).run(() -> Asyncio.sleep(0.001));
                default -> Asyncio.gather(() -> 1, () -> 2).await();
            }
        }
        return stretches;
    }

    /** Code between two awaits: claims the loop and checks nobody else ran meanwhile. */
    private void stretch(Object me, SplittableRandom rnd) {
        holder = me;
        long before = steps;
        int work = rnd.nextInt(50);
        long acc = 0;
        for (int i = 0; i < work; i++) {
            acc += i * 31L;
            if (holder != me) {
                throw new AssertionError("another task ran between two awaits");
            }
        }
        Thread.onSpinWait();
        if (holder != me || steps != before || acc < 0) {
            throw new AssertionError("another task ran between two awaits");
        }
        steps = before + 1;
    }
}
