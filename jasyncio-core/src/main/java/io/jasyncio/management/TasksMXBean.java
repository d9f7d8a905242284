package io.jasyncio.management;

/**
 * The JMX view of a JVM's jasyncio loops, registered as {@code io.jasyncio:type=Tasks}. It is what
 * {@code ./jasyncio ps PID} reads, and what JConsole or VisualVM show. Each attribute is a fresh
 * dump of every open loop (see {@link io.jasyncio.TaskDump}).
 *
 * <p>It is registered at once if the process already runs JMX when its first loop is built, and
 * otherwise within a second of JMX starting (creating the MBean server just for it would cost a
 * program ~200 ms at start-up).
 */
public interface TasksMXBean {
    /** The JMX name of the view. */
    String OBJECT_NAME = "io.jasyncio:type=Tasks";

    /** {@return every loop's tasks as a tree of who awaits whom} */
    String getTaskTree();

    /** {@return every loop's tasks as a table} */
    String getTaskTable();

    /** {@return every loop's tasks as a JSON array of dumps} */
    String getTaskJson();

    /** {@return how many loops are open} */
    int getOpenLoops();
}
