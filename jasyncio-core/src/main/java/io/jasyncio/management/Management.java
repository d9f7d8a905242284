package io.jasyncio.management;

import io.jasyncio.TaskDump;

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
                if (!MBeanServerFactory.findMBeanServer(null).isEmpty()) {
                    register(ManagementFactory.getPlatformMBeanServer());
                } else if (System.getProperty("javax.management.builder.initial") == null) {
                    System.setProperty("javax.management.builder.initial", JasyncioMBeanServerBuilder.class.getName());
                }
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.DEBUG, "jasyncio's JMX view is unavailable", e);
            }
        }
        String sig = System.getProperty("jasyncio.dumpSignal");
        if (sig != null && !sig.isBlank()) {
            DumpSignal.install(sig.trim());
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
