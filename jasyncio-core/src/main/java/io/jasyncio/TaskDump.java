package io.jasyncio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A snapshot of a loop's tasks: for each, its name, state, where it is suspended, what it awaits,
 * which tasks it waits for and which wait for it, its steps and loop time. Rendered as a tree of
 * "who awaits whom" ({@link #tree()}, like Python 3.14's {@code python -m asyncio pstree}), a table
 * ({@link #table()}, like {@code ps}) or JSON ({@link #toJson()}, for tools).
 *
 * <p>Take one on the loop with {@link EventLoop#dumpTasks()}, from any thread with
 * {@link EventLoop#dumpTasksThreadsafe(Duration)}, for every loop of the JVM with
 * {@link #allLoops(Duration)}, from outside the process with {@code ./jasyncio ps PID} (over JMX),
 * or with a signal (see {@code jasyncio.dumpSignal} in the README).
 */
public final class TaskDump {
    /**
     * One task in a dump.
     *
     * @param id the task's id (the N of its default name {@code Task-N})
     * @param name the task's name
     * @param state {@code pending}, {@code running} (the task that took the dump) or a finished state
     * @param awaiting what it waits on, or {@code null}
     * @param awaits the ids of the tasks it waits for, directly or through a gather or group
     * @param awaitedBy the ids of the tasks waiting for it
     * @param steps how many times it has had control
     * @param loopSeconds how long it has held the loop, when counted (debug mode, profiling), else 0
     * @param stack where it is, newest frame first, without the loop's machinery
     * @param createdAt where it was created (debug mode), or {@code null}
     */
    public record TaskInfo(long id, String name, String state, String awaiting, List<Long> awaits,
                           List<Long> awaitedBy, int steps, double loopSeconds, List<StackTraceElement> stack,
                           String createdAt) {
    }

    private final String loop;
    private final boolean consistent;
    private final String note;
    private final List<TaskInfo> tasks;

    TaskDump(String loop, boolean consistent, String note, List<TaskInfo> tasks) {
        this.loop = loop;
        this.consistent = consistent;
        this.note = note;
        this.tasks = List.copyOf(tasks);
    }

    /** {@return the loop the dump is of} */
    public String loop() {
        return loop;
    }

    /**
     * Whether the snapshot was taken on the loop, so that it is consistent. A dump requested from
     * another thread while the loop did not answer (a task blocks it) is read without the loop's
     * cooperation and may be slightly off; {@link #note()} then says what holds the loop.
     *
     * @return whether consistent
     */
    public boolean consistent() {
        return consistent;
    }

    /** {@return what the dump needs to say about the loop itself (such as what blocks it), or {@code null}} */
    public String note() {
        return note;
    }

    /** {@return the tasks, in creation order} */
    public List<TaskInfo> tasks() {
        return tasks;
    }

    /**
     * A dump of every open loop in the JVM, each taken on its loop (or without it, see
     * {@link #consistent()}, if the loop does not answer within {@code wait}).
     *
     * @param wait how long to wait for each loop
     * @return one dump per open loop
     */
    public static List<TaskDump> allLoops(Duration wait) {
        List<TaskDump> out = new ArrayList<>();
        for (EventLoop l : EventLoop.openLoops()) {
            out.add(l.dumpTasksThreadsafe(wait));
        }
        return out;
    }

    // ------------------------------------------------------------------ taking a snapshot

    /** Builds the snapshot from the tasks; {@code current} is the task taking it, or null. */
    static TaskDump of(EventLoop loop, Collection<Task<?>> live, Task<?> current, boolean consistent, String note) {
        Map<Task<?>, List<Task<?>>> edges = new IdentityHashMap<>();
        Map<Task<?>, List<Long>> awaitedBy = new IdentityHashMap<>();
        for (Task<?> t : live) {
            List<Task<?>> targets = new ArrayList<>();
            AsyncFuture<?> w = t.futWaiter;
            if (w != null) {
                collectTasks(w, targets, new HashSet<>());
            }
            try {
                for (TaskGroup g : List.copyOf(loop.openGroups.getOrDefault(t, List.of()))) {
                    for (Task<?> child : List.copyOf(g.children())) {
                        if (!targets.contains(child)) {
                            targets.add(child);
                        }
                    }
                }
            } catch (RuntimeException raceWhileReading) {
                // Read without the loop's help (a blocked loop): keep what we have.
            }
            edges.put(t, targets);
        }
        for (Map.Entry<Task<?>, List<Task<?>>> e : edges.entrySet()) {
            for (Task<?> target : e.getValue()) {
                awaitedBy.computeIfAbsent(target, k -> new ArrayList<>()).add(e.getKey().id());
            }
        }
        List<TaskInfo> infos = new ArrayList<>();
        for (Task<?> t : live) {
            List<Long> awaits = new ArrayList<>();
            for (Task<?> x : edges.get(t)) {
                awaits.add(x.id());
            }
            List<Long> by = new ArrayList<>(awaitedBy.getOrDefault(t, List.of()));
            by.sort(null);
            Diagnostics d = t.diag;
            String state = t == current ? "running" : t.isDone() ? t.stateName() : "pending";
            List<StackTraceElement> stack = t == current
                    ? StackFrames.userFrames(Thread.currentThread().getStackTrace())
                    : t.getStack();
            infos.add(new TaskInfo(t.id(), t.getName(), state, describe(t.futWaiter), awaits, by, t.steps,
                    d == null ? 0 : d.loopNanos / 1e9, stack, d == null ? null : d.createdAtText()));
        }
        infos.sort((a, b) -> Long.compare(a.id(), b.id()));
        return new TaskDump(loop.toString(), consistent, note, infos);
    }

    /** The tasks that waiting on {@code f} amounts to waiting for. */
    private static void collectTasks(AsyncFuture<?> f, List<Task<?>> out, Set<Object> seen) {
        if (!seen.add(f)) {
            return;
        }
        if (f instanceof Task<?> t) {
            if (!out.contains(t)) {
                out.add(t);
            }
            return;
        }
        Object label = f instanceof Awaits a ? a : f.label;
        if (label instanceof Awaits a) {
            try {
                for (AsyncFuture<?> x : List.copyOf(a.awaited())) {
                    collectTasks(x, out, seen);
                }
            } catch (RuntimeException raceWhileReading) {
                // Read without the loop's help (a blocked loop): keep what we have.
            }
        }
    }

    /** What a task waiting on {@code f} waits for, in words. */
    static String describe(AsyncFuture<?> f) {
        if (f == null) {
            return null;
        }
        if (f instanceof Task<?> t) {
            return "Task '" + t.getName() + "'";
        }
        if (f instanceof Awaits a) {
            return a.describe();
        }
        Object label = f.label;
        if (label instanceof Awaits a) {
            return a.describe();
        }
        if (label instanceof TimerHandle th) {
            return th.isCancelled() ? "sleep (timer cancelled)" : String.format(Locale.ROOT, "sleep until %.3f", th.when());
        }
        if (label != null) {
            return label.toString();
        }
        return "a future";
    }

    // ------------------------------------------------------------------ rendering

    /**
     * The tasks as a tree: each task under the tasks waiting for it, with what it awaits and where
     * it is.
     *
     * @return the tree, several lines
     */
    public String tree() {
        StringBuilder sb = new StringBuilder();
        sb.append(loop).append(": ").append(tasks.size()).append(tasks.size() == 1 ? " task" : " tasks");
        if (!consistent) {
            sb.append(" (read without the loop's help)");
        }
        sb.append('\n');
        if (note != null) {
            sb.append(note).append('\n');
        }
        Map<Long, TaskInfo> byId = new LinkedHashMap<>();
        for (TaskInfo t : tasks) {
            byId.put(t.id(), t);
        }
        List<TaskInfo> roots = new ArrayList<>();
        for (TaskInfo t : tasks) {
            boolean awaited = false;
            for (long by : t.awaitedBy()) {
                if (byId.containsKey(by)) {
                    awaited = true;
                    break;
                }
            }
            if (!awaited) {
                roots.add(t);
            }
        }
        Set<Long> printed = new HashSet<>();
        for (int i = 0; i < roots.size(); i++) {
            node(sb, roots.get(i), "", i == roots.size() - 1, byId, printed);
        }
        return sb.toString();
    }

    private static void node(StringBuilder sb, TaskInfo t, String indent, boolean last, Map<Long, TaskInfo> byId, Set<Long> printed) {
        sb.append(indent).append(last ? "└── " : "├── ").append(headline(t));
        String more = indent + (last ? "    " : "│   ");
        if (!printed.add(t.id())) {
            sb.append("  (shown above)\n");
            return;
        }
        sb.append('\n');
        List<TaskInfo> children = new ArrayList<>();
        for (long id : t.awaits()) {
            TaskInfo c = byId.get(id);
            if (c != null) {
                children.add(c);
            }
        }
        StackTraceElement where = StackFrames.where(t.stack());
        if (where != null) {
            sb.append(more).append(children.isEmpty() ? "    " : "│   ").append("at ").append(where).append('\n');
        }
        for (int i = 0; i < children.size(); i++) {
            node(sb, children.get(i), more, i == children.size() - 1, byId, printed);
        }
    }

    private static String headline(TaskInfo t) {
        StringBuilder sb = new StringBuilder("(T) ").append(t.name()).append(" #").append(t.id());
        if (!t.state().equals("pending")) {
            sb.append(" [").append(t.state()).append(']');
        }
        if (t.awaiting() != null) {
            sb.append("  awaiting ").append(t.awaiting());
        }
        sb.append("  · steps ").append(t.steps());
        if (t.loopSeconds() > 0) {
            sb.append(String.format(Locale.ROOT, ", loop %.3f s", t.loopSeconds()));
        }
        return sb.toString();
    }

    /**
     * The tasks as a table, one line each.
     *
     * @return the table, several lines
     */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(loop).append(consistent ? "" : " (read without the loop's help)").append('\n');
        if (note != null) {
            sb.append(note).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%6s  %-24s %-9s %6s %8s  %-30s %-12s %s%n",
                "ID", "NAME", "STATE", "STEPS", "LOOP s", "AWAITING", "AWAITED BY", "WHERE"));
        for (TaskInfo t : tasks) {
            sb.append(String.format(Locale.ROOT, "%6d  %-24s %-9s %6d %8.3f  %-30s %-12s %s%n",
                    t.id(), cut(t.name(), 24), cut(t.state(), 9), t.steps(), t.loopSeconds(),
                    cut(t.awaiting() == null ? "-" : t.awaiting(), 30),
                    t.awaitedBy().isEmpty() ? "-" : cut(t.awaitedBy().toString(), 12),
                    t.stack().isEmpty() ? "-" : StackFrames.where(t.stack())));
        }
        return sb.toString();
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    /**
     * The dump as one JSON object: {@code loop}, {@code consistent}, {@code note} and
     * {@code tasks}, each task with the fields of {@link TaskInfo} (stack frames as strings).
     *
     * @return the JSON text, one line
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\"loop\":");
        str(sb, loop).append(",\"consistent\":").append(consistent).append(",\"note\":");
        str(sb, note).append(",\"tasks\":[");
        for (int i = 0; i < tasks.size(); i++) {
            TaskInfo t = tasks.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"id\":").append(t.id()).append(",\"name\":");
            str(sb, t.name()).append(",\"state\":");
            str(sb, t.state()).append(",\"awaiting\":");
            str(sb, t.awaiting()).append(",\"awaits\":").append(t.awaits()).append(",\"awaitedBy\":").append(t.awaitedBy())
                    .append(",\"steps\":").append(t.steps())
                    .append(",\"loopSeconds\":").append(String.format(Locale.ROOT, "%.6f", t.loopSeconds()))
                    .append(",\"stack\":[");
            for (int k = 0; k < t.stack().size(); k++) {
                if (k > 0) {
                    sb.append(',');
                }
                str(sb, t.stack().get(k).toString());
            }
            sb.append("],\"createdAt\":");
            str(sb, t.createdAt()).append('}');
        }
        return sb.append("]}").toString();
    }

    /** Appends a JSON string (or null). */
    static StringBuilder str(StringBuilder sb, String s) {
        if (s == null) {
            return sb.append("null");
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    @Override
    public String toString() {
        return tree();
    }
}
