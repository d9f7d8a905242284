package io.jasyncio.management;

import javax.management.MBeanServer;
import javax.management.MBeanServerBuilder;
import javax.management.MBeanServerDelegate;

/**
 * Registers the {@link TasksMXBean} in an MBean server when one is created. jasyncio names this
 * class in {@code javax.management.builder.initial} (if nobody else did) when its first loop is
 * built, so that the view appears the moment anyone starts JMX in the process (a monitoring tool
 * attaching, {@code ./jasyncio ps PID}), and costs nothing until then. It behaves as the JDK's
 * standard builder in every other way.
 */
public final class JasyncioMBeanServerBuilder extends MBeanServerBuilder {
    /** Used by JMX. */
    public JasyncioMBeanServerBuilder() {
    }

    @Override
    public MBeanServer newMBeanServer(String defaultDomain, MBeanServer outer, MBeanServerDelegate delegate) {
        MBeanServer s = super.newMBeanServer(defaultDomain, outer, delegate);
        Management.register(s);
        return s;
    }
}
