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

    /**
     * A task's stack without the loop's and the JDK's scheduling machinery, newest first. The JDK's
     * frames on top are the loop's own doing when the runtime's code called them (a task suspended
     * at an await, or handing the loop on) and are dropped; when code using the runtime called
     * them, they are the blocking call that holds the loop ({@code Thread.sleep},
     * {@code Thread.join}, {@code Object.wait}, a lock) and are kept, which is what a slow-step
     * report is for. The virtual thread's own frames ({@code jdk.internal},
     * {@code java.lang.VirtualThread}) always go.
     */
    static List<StackTraceElement> userFrames(StackTraceElement[] raw) {
        int top = 0;
        while (top < raw.length && isWaiting(raw[top].getClassName())) {
            top++;
        }
        boolean parkedByRuntime = top < raw.length && isRuntime(raw[top].getClassName());
        List<StackTraceElement> out = new ArrayList<>(raw.length);
        for (int i = 0; i < raw.length; i++) {
            StackTraceElement e = raw[i];
            if (i < top ? !parkedByRuntime && !isVirtualThreadInternal(e.getClassName()) : !isMachinery(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /** A frame of the JDK's code: a blocking call's, or the loop's parking and hand-off. */
    private static boolean isWaiting(String c) {
        return c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.") || c.startsWith("com.sun.")
                || c.startsWith("javax.");
    }

    private static boolean isVirtualThreadInternal(String c) {
        return c.startsWith("jdk.internal.") || c.startsWith("java.lang.VirtualThread") || c.startsWith("java.lang.System$");
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
        if (isVirtualThreadInternal(c)) {
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
