package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's "A taste" example, kept compiling and running (same code, shorter sleeps). */
class ReadmeExampleTest {

    @Test
    void theTasteRuns() {
        String result = Asyncio.run(() -> {
            Task<String> a = Asyncio.createTask(() -> fetch("a", 0.02));
            Task<String> b = Asyncio.createTask(() -> fetch("b", 0.01));
            List<String> both = Asyncio.gather(a, b).await();
            String fast = Asyncio.timeout(1.0).run(() -> fetch("c", 0.005));
            TaskGroup.run(g -> {
                g.createTask(() -> fetch("d", 0.001));
                g.createTask(() -> fetch("e", 0.001));
            });
            return both + " " + fast;
        });
        assertEquals("[a, b] c", result);
    }

    static String fetch(String what, double seconds) {
        Asyncio.sleep(seconds);
        return what;
    }
}
