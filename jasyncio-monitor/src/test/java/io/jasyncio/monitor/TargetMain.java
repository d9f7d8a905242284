package io.jasyncio.monitor;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;

/** A process for ProcessTasksTest to look into: a loop with named tasks that wait until killed. */
public final class TargetMain {
    private TargetMain() {
    }

    public static void main(String[] args) {
        Asyncio.run(() -> {
            AsyncFuture<Void> never = Asyncio.getRunningLoop().createFuture();
            Task<Void> worker = Asyncio.createTask("target-worker", never::await);
            Asyncio.sleep(0);
            System.out.println("ready");
            System.out.flush();
            worker.await();
            return null;
        });
    }
}
