package io.jasyncio.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.TaskDump;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The monitor's commands. Each runs on a monitor thread, never on a loop: it reads the loops
 * through their thread-safe doors, so it answers even while a loop is blocked (the dump then says
 * what blocks it).
 */
final class Commands {
    static final String HELP = """
            help              this text
            loops             the loops of this process
            ps                every task, one per line
            tree              every task, as a tree of who awaits whom
            where ID          where task ID is, with its whole stack
            cancel ID [MSG]   cancel task ID
            signal NAME       send signal NAME (INT, TERM, HUP, USR1...) to this process
            json COMMAND      the answer to ps, tree, loops, where or cancel as one line of JSON
            quit              close this connection
            """;
    private static final Duration WAIT = Duration.ofMillis(500);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Commands() {
    }

    /** Runs one command line and returns the answer (without the prompt). */
    static String run(String line) {
        String[] w = line.trim().split("\\s+", 3);
        if (w[0].isEmpty()) {
            return "";
        }
        boolean json = w[0].equalsIgnoreCase("json");
        if (json) {
            if (w.length < 2) {
                return error(true, "json needs a command: json ps");
            }
            w = (w[1] + (w.length > 2 ? " " + w[2] : "")).trim().split("\\s+", 3);
        }
        try {
            return switch (w[0].toLowerCase(Locale.ROOT)) {
                case "help", "?" -> json ? error(true, "help has no JSON form") : HELP;
                case "loops" -> loops(json);
                case "ps" -> ps(json);
                case "tree", "pstree" -> tree(json);
                case "where" -> where(json, arg(w, 1, "where needs a task id: where 12"));
                case "cancel" -> cancel(json, arg(w, 1, "cancel needs a task id: cancel 12"), w.length > 2 ? w[2] : null);
                case "signal" -> signal(json, arg(w, 1, "signal needs a name: signal INT"));
                default -> error(json, "unknown command '" + w[0] + "'; type help");
            };
        } catch (IllegalArgumentException e) {
            return error(json, e.getMessage());
        }
    }

    private static String arg(String[] w, int i, String usage) {
        if (w.length <= i) {
            throw new IllegalArgumentException(usage);
        }
        return w[i];
    }

    private static String error(boolean json, String message) {
        if (json) {
            ObjectNode n = JSON.createObjectNode();
            n.put("error", message);
            return n.toString();
        }
        return "error: " + message;
    }

    private static String loops(boolean json) {
        List<TaskDump> dumps = TaskDump.allLoops(WAIT);
        if (json) {
            ArrayNode a = JSON.createArrayNode();
            for (TaskDump d : dumps) {
                ObjectNode n = a.addObject();
                n.put("loop", d.loop());
                n.put("tasks", d.tasks().size());
                n.put("consistent", d.consistent());
                n.put("note", d.note());
            }
            return a.toString();
        }
        StringBuilder sb = new StringBuilder();
        for (TaskDump d : dumps) {
            sb.append(d.loop()).append(": ").append(d.tasks().size()).append(" tasks")
                    .append(d.consistent() ? "" : " (the loop did not answer)").append('\n');
        }
        return sb.isEmpty() ? "no open loops" : sb.toString();
    }

    private static String ps(boolean json) {
        List<TaskDump> dumps = TaskDump.allLoops(WAIT);
        if (json) {
            return jsonDumps(dumps);
        }
        StringBuilder sb = new StringBuilder();
        for (TaskDump d : dumps) {
            sb.append(d.table());
        }
        return sb.isEmpty() ? "no open loops" : sb.toString();
    }

    private static String tree(boolean json) {
        List<TaskDump> dumps = TaskDump.allLoops(WAIT);
        if (json) {
            return jsonDumps(dumps);
        }
        StringBuilder sb = new StringBuilder();
        for (TaskDump d : dumps) {
            sb.append(d.tree());
        }
        return sb.isEmpty() ? "no open loops" : sb.toString();
    }

    private static String jsonDumps(List<TaskDump> dumps) {
        StringBuilder sb = new StringBuilder("[");
        for (TaskDump d : dumps) {
            sb.append(sb.length() == 1 ? "" : ",").append(d.toJson());
        }
        return sb.append(']').toString();
    }

    private static long id(String s) {
        try {
            return Long.parseLong(s.startsWith("#") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a task id (the number after # in ps)");
        }
    }

    private static String where(boolean json, String idText) {
        long id = id(idText);
        for (TaskDump d : TaskDump.allLoops(WAIT)) {
            for (TaskDump.TaskInfo t : d.tasks()) {
                if (t.id() == id) {
                    if (json) {
                        ObjectNode n = JSON.createObjectNode();
                        n.put("loop", d.loop());
                        n.put("id", t.id());
                        n.put("name", t.name());
                        n.put("state", t.state());
                        n.put("awaiting", t.awaiting());
                        ArrayNode st = n.putArray("stack");
                        t.stack().forEach(e -> st.add(e.toString()));
                        n.put("createdAt", t.createdAt());
                        return n.toString();
                    }
                    StringBuilder sb = new StringBuilder("Task '").append(t.name()).append("' #").append(t.id())
                            .append(" on ").append(d.loop()).append(", ").append(t.state());
                    if (t.awaiting() != null) {
                        sb.append(", awaiting ").append(t.awaiting());
                    }
                    if (!t.awaitedBy().isEmpty()) {
                        sb.append(", awaited by ").append(t.awaitedBy());
                    }
                    sb.append('\n');
                    t.stack().forEach(e -> sb.append("\tat ").append(e).append('\n'));
                    if (t.createdAt() != null) {
                        sb.append("created at:\n").append(t.createdAt()).append('\n');
                    }
                    return sb.toString();
                }
            }
        }
        return error(json, "no pending task #" + id);
    }

    private static String cancel(boolean json, String idText, String message) {
        long id = id(idText);
        for (EventLoop loop : EventLoop.allLoops()) {
            CompletableFuture<String> done = new CompletableFuture<>();
            try {
                loop.callSoonThreadsafe(() -> {
                    Task<?> t = loop.findTask(id);
                    done.complete(t == null ? null : t.cancel(message) ? t.getName() : null);
                });
            } catch (IllegalStateException closed) {
                continue;
            }
            try {
                String name = done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (name != null) {
                    return json ? JSON.createObjectNode().put("cancelled", id).put("name", name).toString()
                            : "cancelled Task '" + name + "' #" + id;
                }
            } catch (TimeoutException e) {
                return json ? JSON.createObjectNode().put("queued", id).put("loop", loop.toString()).toString()
                        : loop + " is busy: the cancellation of #" + id + " will happen when it is free";
            } catch (Exception e) {
                return error(json, e.toString());
            }
        }
        return error(json, "no pending task #" + id);
    }

    private static String signal(boolean json, String name) {
        String n = name.toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        try {
            sun.misc.Signal.raise(new sun.misc.Signal(n));
        } catch (IllegalArgumentException e) {
            return error(json, "cannot send SIG" + n + ": " + e.getMessage());
        }
        return json ? JSON.createObjectNode().put("signal", "SIG" + n).toString() : "sent SIG" + n;
    }
}
