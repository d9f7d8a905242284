package io.jasyncio.management;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JMX view and the dump signal. */
class ManagementTest {

    @Test
    void theJmxViewAppearsWhenJmxStartsAndShowsTheTasks() throws Exception {
        try (EventLoop loop = EventLoop.newEventLoop()) {   // the first loop of the JVM installs the hook
            CountDownLatch running = new CountDownLatch(1);
            AsyncFuture<Void> gate = loop.createFuture();
            Thread runner = new Thread(() -> loop.runUntilComplete(loop.createTask("jmx-visible", () -> {
                running.countDown();
                gate.await();
                return null;
            })));
            runner.start();
            assertTrue(running.await(10, TimeUnit.SECONDS));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(TasksMXBean.OBJECT_NAME);
            for (int i = 0; i < 50 && !server.isRegistered(name); i++) {
                Thread.sleep(100); // registered within a second of JMX starting
            }
            String tree = (String) server.getAttribute(name, "TaskTree");
            String json = (String) server.getAttribute(name, "TaskJson");
            loop.callSoonThreadsafe(() -> gate.setResult(null));
            runner.join();
            assertTrue(tree.contains("jmx-visible"), tree);
            assertTrue(json.startsWith("[{\"loop\":"), json);
        }
    }

    @Test
    void theDumpSignalPrintsTheTaskTree() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        try (EventLoop loop = EventLoop.newEventLoop()) {
            AsyncFuture<Void> gate = loop.createFuture();
            loop.createTask("signalled", gate::await);
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            DumpSignal.install("USR2");
            sun.misc.Signal.raise(new sun.misc.Signal("USR2"));
            for (int i = 0; i < 100 && !err.toString(StandardCharsets.UTF_8).contains("signalled"); i++) {
                Thread.sleep(20);
            }
            gate.setResult(null);
            loop.runUntilComplete(gate);
            loop.runUntilComplete(() -> null);
        } finally {
            System.setErr(old);
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("jasyncio task dump (SIGUSR2)") && out.contains("signalled"), out);
    }
}
