package io.jasyncio.conformance;

import static io.jasyncio.conformance.NetRun.loop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.TaskDump;
import io.jasyncio.TaskGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The task graph in task dumps, as CPython 3.14's {@code test_graph} pins it; each case is named
 * after the CPython test it mirrors.
 */
@Timeout(60)
class GraphConformanceTest {

    static TaskDump.TaskInfo info(TaskDump d, Task<?> t) {
        return d.tasks().stream().filter(i -> i.name().equals(t.getName())).findFirst().orElseThrow();
    }

    @Test
    void test_stack_tgroup() {
        // While the group's body runs (here: it sleeps), its children are awaited by the parent.
        NetRun.run(() -> {
            Task<?> main = Asyncio.currentTask();
            TaskDump[] during = new TaskDump[1];
            Task<?>[] child = new Task<?>[1];
            TaskGroup.run(g -> {
                child[0] = g.createTask("c2_root", () -> Asyncio.sleep(0.05));
                Asyncio.sleep(0);
                during[0] = loop().dumpTasks();
            });
            TaskDump.TaskInfo c = info(during[0], child[0]);
            TaskDump.TaskInfo m = info(during[0], main);
            assertTrue(c.awaitedBy().contains(m.id()), "awaited by the parent: " + during[0].tree());
            assertTrue(m.awaits().contains(c.id()), during[0].tree());
            // Once the group is done, the link is gone with the child.
            TaskDump after = loop().dumpTasks();
            assertEquals(java.util.List.of(), info(after, main).awaits());
        });
    }
}
