package io.jasyncio;

import java.util.List;
import java.util.Locale;

/**
 * A callback or task step that held the loop longer than the loop's
 * {@linkplain EventLoop#getSlowCallbackDuration() slow-callback duration}, reported in debug mode.
 * While the step still runs, debug mode's watchdog thread reports it once with the live stack of
 * the code holding the loop; when it ends, the loop reports its total. The total is asyncio's
 * debug-mode warning {@code Executing <Handle ...> took 0.123 seconds}.
 *
 * @param loop the loop
 * @param what the task or callback
 * @param task the task, or {@code null} for a callback
 * @param seconds how long it has held (or held) the loop
 * @param finished whether the step has ended
 * @param stack where the code holding the loop was, newest first (empty once finished)
 */
public record SlowStep(EventLoop loop, String what, Task<?> task, double seconds, boolean finished,
                       List<StackTraceElement> stack) {
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (finished) {
            sb.append(String.format(Locale.ROOT, "Executing %s took %.3f seconds", what, seconds));
        } else {
            sb.append(String.format(Locale.ROOT, "%s has held %s for %.3f seconds and is still running; it is at:",
                    what, loop, seconds));
            for (StackTraceElement e : stack) {
                sb.append("\n\tat ").append(e);
            }
        }
        return sb.toString();
    }
}
