package io.jasyncio;

/**
 * What debug mode and the profiler record about a future or task, kept in a side object so that a
 * future outside debug mode pays one null field.
 */
final class Diagnostics {
    /** Where the future was created (debug mode), as the stack of a throwable never thrown. */
    Throwable createdAt;
    /** Where and by whom it was last cancelled (debug mode). */
    CancellationSite cancelledAt;
    /** Nanoseconds a task held the loop, counted in debug mode or while profiled. */
    long loopNanos;
    /** How many {@link Profiling} scopes are open on the task. */
    int profileDepth;

    static Throwable creationSite(String what) {
        return new Throwable(what + " created here");
    }

    /** The creation stack from the first frame outside the runtime, as text; null if not recorded. */
    String createdAtText() {
        return siteText(createdAt);
    }

    /** {@code site}'s stack from the first frame outside the runtime, as text; null for null. */
    static String siteText(Throwable site) {
        if (site == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        boolean leading = true;
        for (StackTraceElement e : site.getStackTrace()) {
            if (leading && StackFrames.isRuntime(e.getClassName())) {
                continue;
            }
            leading = false;
            sb.append(sb.isEmpty() ? "" : "\n").append("\tat ").append(e);
        }
        return sb.toString();
    }
}
