package io.jasyncio;

import java.util.ArrayList;
import java.util.List;

/** Removes the loop's and the JDK's scheduling machinery from a task's stack trace. */
final class StackFrames {
    /** The runtime's own classes, whose frames lead every creation site. */
    private static final java.util.Set<String> RUNTIME = java.util.Set.of(
            "EventLoop", "Task", "AsyncFuture", "Asyncio", "TaskGroup", "Timeout", "Runner", "GatheringFuture",
            "AsCompleted", "Diagnostics", "Handle", "TimerHandle", "Profiling", "Warmup", "UnretrievedException",
            "TaskDump", "VirtualClock", "StackFrames");

    private StackFrames() {
    }

    /** Whether a frame of this class belongs to the runtime itself (not to code using it). */
    static boolean isRuntime(String className) {
        if (!className.startsWith("io.jasyncio.")) {
            return false;
        }
        String simple = className.substring("io.jasyncio.".length());
        if (simple.startsWith("internal.")) {
            return true;
        }
        int cut = simple.indexOf('$');
        return RUNTIME.contains(cut < 0 ? simple : simple.substring(0, cut));
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

    /** The first frame of code using the runtime (the runtime's own frames on top skipped), or null. */
    static StackTraceElement where(java.util.List<StackTraceElement> frames) {
        for (StackTraceElement e : frames) {
            if (!isRuntime(e.getClassName())) {
                return e;
            }
        }
        return frames.isEmpty() ? null : frames.get(0);
    }

    private static boolean isMachinery(StackTraceElement e) {
        String c = e.getClassName();
        if (c.startsWith("jdk.internal.") || c.startsWith("java.lang.VirtualThread") || c.startsWith("java.lang.System$")
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
