package io.jasyncio.monitor;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import io.jasyncio.management.TasksMXBean;

import javax.management.InstanceNotFoundException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;

/**
 * Reads the tasks of another local JVM, for {@code ./jasyncio ps PID}: attaches to it (the JDK's
 * Attach API, as {@code jcmd} does), starts its local JMX agent and reads the
 * {@code io.jasyncio:type=Tasks} view, which a jasyncio process offers as soon as JMX starts. Needs
 * the same user as the target and a JDK that allows attaching (the default).
 */
public final class ProcessTasks {
    /** What to read. */
    public enum View {
        /** Who awaits whom. */
        TREE("TaskTree"),
        /** One line per task. */
        TABLE("TaskTable"),
        /** A JSON array of dumps. */
        JSON("TaskJson");

        final String attribute;

        View(String attribute) {
            this.attribute = attribute;
        }
    }

    private ProcessTasks() {
    }

    /**
     * The task dump of every loop of process {@code pid}.
     *
     * @param pid the process
     * @param view the form
     * @return the dump
     * @throws IOException if the process cannot be attached to or runs no jasyncio loop
     */
    public static String read(long pid, View view) throws IOException {
        String url;
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try {
                url = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (AttachNotSupportedException e) {
            throw new IOException("cannot attach to process " + pid + " (is it a JVM run by this user?): " + e.getMessage(), e);
        }
        try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
            MBeanServerConnection server = c.getMBeanServerConnection();
            ObjectName name = new ObjectName(TasksMXBean.OBJECT_NAME);
            // A process that was not running JMX registers the view within a second of JMX starting.
            for (int i = 0; ; i++) {
                try {
                    return (String) server.getAttribute(name, view.attribute);
                } catch (InstanceNotFoundException e) {
                    if (i == 30) {
                        throw new IOException("process " + pid + " shows no jasyncio tasks: it has not built a loop,"
                                + " or runs with -Djasyncio.jmx=false", e);
                    }
                    Thread.sleep(100);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot read the tasks of process " + pid + ": " + e, e);
        }
    }
}
