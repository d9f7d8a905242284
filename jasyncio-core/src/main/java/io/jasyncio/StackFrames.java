package io.jasyncio;

import java.util.ArrayList;
import java.util.List;

/** Removes the loop's and the JDK's scheduling machinery from a task's stack trace. */
final class StackFrames {
    private StackFrames() {
    }

    static List<StackTraceElement> userFrames(StackTraceElement[] raw) {
        List<StackTraceElement> out = new ArrayList<>(raw.length);
        for (StackTraceElement e : raw) {
            if (!isMachinery(e)) {
                out.add(e);
            }
        }
        return out;
    }

    private static boolean isMachinery(StackTraceElement e) {
        String c = e.getClassName();
        if (c.startsWith("jdk.internal.") || c.startsWith("java.lang.VirtualThread")
                || c.equals("java.lang.Thread") || c.equals("java.util.concurrent.locks.LockSupport")) {
            return true;
        }
        if (c.equals("io.jasyncio.EventLoop")) {
            return true;
        }
        if (c.equals("io.jasyncio.Task")) {
            String m = e.getMethodName();
            return m.equals("awaitPending") || m.equals("yieldStep") || m.equals("runOnThread")
                    || m.equals("resumePoint") || m.startsWith("lambda$");
        }
        return false;
    }
}
