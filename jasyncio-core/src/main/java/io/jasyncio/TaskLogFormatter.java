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
 * with {@code handler.setFormatter(new TaskLogFormatter())}. Logback and Log4j users: every task
 * runs on its own virtual thread, named after the task when it was given a name (every task in
 * debug mode), so {@code %thread} shows it; and thread-local context such as SLF4J's MDC set in a
 * task's body stays with that task.
 */
public final class TaskLogFormatter extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    /** Used by {@code java.util.logging}. */
    public TaskLogFormatter() {
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
                .append(" [").append(currentTaskName()).append("] ")
                .append(r.getLoggerName()).append(": ").append(formatMessage(r)).append(System.lineSeparator());
        if (r.getThrown() != null) {
            StringWriter w = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(w));
            sb.append(w);
        }
        return sb.toString();
    }
}
