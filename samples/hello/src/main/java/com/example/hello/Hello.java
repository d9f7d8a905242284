package com.example.hello;

import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.util.List;

public final class Hello {
    public static void main(String[] args) {
        String report = Asyncio.run(() -> {
            Task<String> slow = Asyncio.createTask(() -> fetch("slow", 0.2));
            Task<String> fast = Asyncio.createTask(() -> fetch("fast", 0.1));
            List<String> both = Asyncio.gather(slow, fast).await();  // 0.2 s in all, in order
            String late;
            try {
                late = Asyncio.timeout(0.1).run(() -> fetch("late", 5.0));
            } catch (AsyncTimeoutException e) {
                late = "timed out";
            }
            return both + " " + late + " on " + Asyncio.getRunningLoop().getScheduling();
        });
        System.out.println(report);  // [slow, fast] timed out on SHARED (or DEDICATED)
    }

    static String fetch(String what, double seconds) {
        Asyncio.sleep(seconds);  // an await point, in an ordinary method
        return what;
    }
}
