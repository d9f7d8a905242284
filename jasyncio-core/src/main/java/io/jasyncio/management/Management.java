package io.jasyncio.management;

import io.jasyncio.TaskDump;
import io.jasyncio.internal.Carriers;

import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Installs jasyncio's process-wide diagnostics: the JMX view and the optional dump signal. */
public final class Management {
    private static final System.Logger LOG = System.getLogger("io.jasyncio");
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static final Duration WAIT = Duration.ofMillis(500);

    private Management() {
    }

    /**
     * Called when the first loop of the JVM is built: makes the JMX view available (unless
     * {@code -Djasyncio.jmx=false}) and installs the dump signal named by
     * {@code -Djasyncio.dumpSignal} (for example {@code USR1}), if any. Idempotent.
     */
    public static void install() {
        if (!INSTALLED.compareAndSet(false, true)) {
            return;
        }
        if (!"false".equals(System.getProperty("jasyncio.jmx"))) {
            try {
                if (!registerIfJmxRuns()) {
                    // Creating the platform MBean server costs ~200 ms, too much to pay for a view
                    // nobody may look at. Wait for someone else to start JMX (a monitoring tool
                    // attaching, ./jasyncio ps PID), checking once a second from a parked virtual
                    // thread, and register then.
                    Carriers.sharedSchedulerBuilder().name("jasyncio-jmx-view").start(Management::waitForJmx);
                }
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.DEBUG, "jasyncio's JMX view is unavailable", e);
            }
        }
        String sig = System.getProperty("jasyncio.dumpSignal");
        if (sig != null && !sig.isBlank()) {
            DumpSignal.install(sig.trim());
        }
        String monitor = System.getProperty("jasyncio.monitor");
        if (monitor != null && !monitor.isBlank()) {
            startMonitor(monitor.trim());
        }
    }

    /** Starts the monitor module's console if it is on the class path (it is a separate module). */
    private static void startMonitor(String address) {
        try {
            Class.forName("io.jasyncio.monitor.Monitor").getMethod("start", String.class).invoke(null, address);
        } catch (ClassNotFoundException e) {
            LOG.log(System.Logger.Level.WARNING, "-Djasyncio.monitor is set but jasyncio-monitor is not on the class path");
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot start the jasyncio monitor on " + address, e);
        }
    }

    /** Registers the view if a platform MBean server exists; returns whether it did. */
    private static boolean registerIfJmxRuns() {
        if (MBeanServerFactory.findMBeanServer(null).isEmpty()) {
            return false;
        }
        register(ManagementFactory.getPlatformMBeanServer());
        return true;
    }

    private static void waitForJmx() {
        try {
            while (!registerIfJmxRuns()) {
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "jasyncio's JMX view is unavailable", e);
        }
    }

    static void register(MBeanServer server) {
        try {
            server.registerMBean(new StandardMBean(new Tasks(), TasksMXBean.class, true), new ObjectName(TasksMXBean.OBJECT_NAME));
        } catch (InstanceAlreadyExistsException already) {
            // Registered by an earlier server creation.
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot register jasyncio's JMX view", e);
        }
    }

    /** Every open loop's dump as a tree, for the signal and the MBean. */
    static String trees() {
        List<TaskDump> dumps = TaskDump.allLoops(WAIT);
        if (dumps.isEmpty()) {
            return "no open jasyncio loops\n";
        }
        StringBuilder sb = new StringBuilder();
        for (TaskDump d : dumps) {
            sb.append(d.tree());
        }
        return sb.toString();
    }

    private static final class Tasks implements TasksMXBean {
        @Override
        public String getTaskTree() {
            return trees();
        }

        @Override
        public String getTaskTable() {
            StringBuilder sb = new StringBuilder();
            for (TaskDump d : TaskDump.allLoops(WAIT)) {
                sb.append(d.table());
            }
            return sb.toString();
        }

        @Override
        public String getTaskJson() {
            StringBuilder sb = new StringBuilder("[");
            for (TaskDump d : TaskDump.allLoops(WAIT)) {
                sb.append(sb.length() == 1 ? "" : ",").append(d.toJson());
            }
            return sb.append(']').toString();
        }

        @Override
        public int getOpenLoops() {
            return TaskDump.allLoops(Duration.ZERO).size();
        }
    }
}
