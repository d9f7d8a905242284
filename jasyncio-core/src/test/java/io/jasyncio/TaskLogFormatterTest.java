package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Task names in log lines. */
class TaskLogFormatterTest {

    /** A handler that keeps each record, formatted by {@code f}, in {@code lines}. */
    private static Handler collecting(TaskLogFormatter f, List<String> lines) {
        return new Handler() {
            @Override
            public synchronized void publish(LogRecord r) {
                lines.add(f.format(r));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void logLinesNameTheTaskOrTheCallback() {
        List<String> lines = new ArrayList<>();
        TaskLogFormatter f = new TaskLogFormatter();
        Logger log = Logger.getLogger("jasyncio.test.logging");
        log.setUseParentHandlers(false);
        Handler h = collecting(f, lines);
        log.addHandler(h);
        try {
            Loops.run(() -> {
                Asyncio.createTask("fetch bbc", () -> log.info("12 headlines")).await();
                AsyncFuture<Void> done = Asyncio.getRunningLoop().createFuture();
                Asyncio.getRunningLoop().callSoon(() -> {
                    log.log(Level.WARNING, "from a callback");
                    done.setResult(null);
                });
                done.await();
            });
            log.info("no loop");
        } finally {
            log.removeHandler(h);
        }
        assertTrue(lines.get(0).contains(" [fetch bbc] jasyncio.test.logging: 12 headlines"), lines.get(0));
        assertTrue(lines.get(1).matches("(?s).*WARNING \\[callback of EventLoop-\\d+] .*from a callback.*"), lines.get(1));
        assertTrue(lines.get(2).contains("[" + Thread.currentThread().getName() + "]"), lines.get(2));
    }

    @Test
    void contextVariablesReachTheLinesOfEveryTaskAndWorkerThatInheritsThem() {
        ContextVar<String> request = new ContextVar<>("request");
        ContextVar<String> user = new ContextVar<>("user");
        List<String> lines = new ArrayList<>();
        Logger log = Logger.getLogger("jasyncio.test.logging.vars");
        log.setUseParentHandlers(false);
        TaskLogFormatter f = new TaskLogFormatter(request);
        Handler h = collecting(f, lines);
        log.addHandler(h);
        TaskLogFormatter.show(user);
        try {
            Loops.run(() -> {
                log.info("before");
                request.set("r-42");
                user.set("ann");
                Asyncio.createTask("child", () -> log.info("in a child task")).await();
                Asyncio.toThread(() -> log.info("on a worker thread"));
                Asyncio.getRunningLoop().callSoon(() -> log.info("in a callback"));
                Asyncio.sleep(0);
            });
        } finally {
            TaskLogFormatter.hide(user);
            log.removeHandler(h);
        }
        assertTrue(lines.get(0).contains("] jasyncio.test.logging.vars: before") && !lines.get(0).contains("request="), lines.get(0));
        assertTrue(lines.get(1).contains("[child user=ann request=r-42] "), lines.get(1));
        assertTrue(lines.get(2).contains(" user=ann request=r-42] ") && lines.get(2).contains("on a worker thread"), lines.get(2));
        assertTrue(lines.get(3).contains(" user=ann request=r-42] ") && lines.get(3).contains("in a callback"), lines.get(3));
        assertEquals(4, lines.size());
    }

    @Test
    void namedTasksRunOnThreadsOfTheSameName() {
        Loops.run(() -> {
            Task<String> t = Asyncio.createTask("named", () -> Thread.currentThread().getName());
            assertEquals("named", t.await());
            Task<String> renamed = Asyncio.createTask("first", () -> {
                Asyncio.currentTask().setName("second");
                return Thread.currentThread().getName();
            });
            assertEquals("second", renamed.await());
            assertNull(Task.current() == Asyncio.currentTask() ? null : "current() disagrees");
        });
        assertNull(Task.current());
    }
}
