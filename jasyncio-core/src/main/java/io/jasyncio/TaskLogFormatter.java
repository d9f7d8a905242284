package io.jasyncio;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * A {@code java.util.logging} formatter whose lines name the task that logged them, for
 * {@link System.Logger} (which logs through {@code java.util.logging} by default) and JUL users:
 *
 * <pre>
 * 2026-11-21 18:03:12.345 INFO    [fetch bbc] news: 12 headlines
 * 2026-11-21 18:03:12.350 WARNING [callback of EventLoop-1] io.jasyncio: ...
 * </pre>
 *
 * <p>Install it in {@code logging.properties}:
 * {@code java.util.logging.ConsoleHandler.formatter = io.jasyncio.TaskLogFormatter}, or in code
 * with {@code handler.setFormatter(new TaskLogFormatter())}.
 *
 * <p><b>Context variables.</b> A formatter can also show {@link ContextVar}s, read in the context
 * of the code that logs: {@code new TaskLogFormatter(requestId, user)}, or for every formatter
 * (including one made by {@code logging.properties}) {@link #show(ContextVar[]) show(requestId)}.
 * A variable with no value is left out:
 *
 * <pre>
 * 2026-11-21 18:03:12.345 INFO    [handler-7 request=r-42 user=ann] web: GET /news
 * </pre>
 *
 * <p>Since a task starts with a copy of its creator's context, a request id set once at the top of
 * a request's task reaches every task it spawns and every {@link Asyncio#toThread} worker: what
 * SLF4J's MDC cannot do, as MDC is thread-local and each task runs on its own virtual thread (MDC
 * set in a task's body stays with that task only). Logback and Log4j users: {@code %thread} shows
 * the task's name when it was given one (every task's, in debug mode); to put context variables in
 * their lines, copy them into the MDC where the task's work begins, or write a converter that calls
 * {@link ContextVar#get(Object)}.
 */
public final class TaskLogFormatter extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private static final java.util.List<ContextVar<?>> SHOWN_BY_ALL = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final ContextVar<?>[] shown;

    /** Used by {@code java.util.logging}: shows the variables given to {@link #show}. */
    public TaskLogFormatter() {
        this.shown = new ContextVar<?>[0];
    }

    /**
     * A formatter that also shows {@code vars} (after those given to {@link #show}).
     *
     * @param vars the context variables to show, as {@code name=value}
     */
    public TaskLogFormatter(ContextVar<?>... vars) {
        for (ContextVar<?> v : vars) {
            java.util.Objects.requireNonNull(v, "var");
        }
        this.shown = vars.clone();
    }

    /**
     * Makes every TaskLogFormatter show {@code vars} too, including those made by
     * {@code logging.properties}.
     *
     * @param vars the context variables to show
     */
    public static void show(ContextVar<?>... vars) {
        for (ContextVar<?> v : vars) {
            java.util.Objects.requireNonNull(v, "var");
            if (!SHOWN_BY_ALL.contains(v)) {
                SHOWN_BY_ALL.add(v);
            }
        }
    }

    /**
     * Stops showing {@code vars} in every formatter (see {@link #show}).
     *
     * @param vars the context variables
     */
    public static void hide(ContextVar<?>... vars) {
        SHOWN_BY_ALL.removeAll(java.util.List.of(vars));
    }

    private void appendVars(StringBuilder sb) {
        for (ContextVar<?> v : SHOWN_BY_ALL) {
            appendVar(sb, v);
        }
        for (ContextVar<?> v : shown) {
            if (!SHOWN_BY_ALL.contains(v)) {
                appendVar(sb, v);
            }
        }
    }

    private static void appendVar(StringBuilder sb, ContextVar<?> v) {
        Object value = v.get(null);
        if (value != null) {
            sb.append(' ').append(v.name()).append('=').append(value);
        }
    }

    /**
     * Who is logging: the current task's name, {@code callback of EventLoop-N} inside a loop
     * callback, else the thread's name.
     *
     * @return the name
     */
    public static String currentTaskName() {
        Thread me = Thread.currentThread();
        EventLoop l = EventLoop.ownedBy(me);
        if (l == null) {
            return me.getName();
        }
        Task<?> t = l.currentTask();
        return t != null ? t.getName() : "callback of EventLoop-" + l.id();
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
                .append(String.format("%-7s", r.getLevel().getName()))
                .append(" [").append(currentTaskName());
        appendVars(sb);
        sb.append("] ")
                .append(r.getLoggerName()).append(": ").append(formatMessage(r)).append(System.lineSeparator());
        if (r.getThrown() != null) {
            StringWriter w = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(w));
            sb.append(w);
        }
        return sb.toString();
    }
}
