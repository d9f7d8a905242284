package io.jasyncio.examples.tcpcheck;

import io.jasyncio.AsyncTimeoutException;
import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.KeyboardInterruptException;
import io.jasyncio.TaskGroup;
import io.jasyncio.net.ConnectOptions;
import io.jasyncio.net.Endpoint;
import io.jasyncio.net.Protocol;
import io.jasyncio.queues.AsyncQueue;
import io.jasyncio.sync.CapacityLimiter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The port checker of the asyncio books: concurrent TCP connects to every host × port, at most
 * {@code --concurrency} at a time, each bounded by {@code --timeout}, results printed as they
 * complete. One loop, one task per probe in flight: a {@link CapacityLimiter} lets the feeder
 * start a probe only when a token is free, so a scan of 65,535 ports holds {@code --concurrency}
 * tasks and sockets at most; each probe puts its result on an {@link AsyncQueue}; the main task
 * prints them in the order they arrive. All of it inside a {@link TaskGroup}, so Ctrl-C (which
 * cancels the main task, see {@link io.jasyncio.Runner}) cancels every probe in flight and closes
 * its socket before the program exits with 130.
 */
@Command(name = "tcpcheck", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Concurrent TCP port checks: connects to every host x port, at most --concurrency at a time,"
                + " each within --timeout, and prints each result as it completes (text, or JSON lines with --json).",
                "With no --hosts and no --ports it starts a local server on 127.0.0.1 and probes a block of ports"
                + " around it (some open, one that times out, the rest closed), so it runs offline.",
                ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "  0:every port probed was open",
                "  1:some port was closed, timed out, or could not be probed (error)",
                "  2:bad usage (an unknown option, a bad port list, a bad value)",
                "130:interrupted by Ctrl-C (the results so far were printed)"},
        footerHeading = "%nExamples:%n",
        footer = {"  ./jasyncio tcpcheck",
                "  ./jasyncio tcpcheck --hosts 127.0.0.1 --ports 22,80,8000-8010",
                "  ./jasyncio tcpcheck -H example.org -p 1-1024 -c 200 -t 2 --open",
                "  ./jasyncio tcpcheck -p 5432 --json",
                "JSON lines carry host, address (null if the host did not resolve), port, state (open, closed,"
                + " timeout, error), latency_ms, and error (for state error). The summary goes to standard error"
                + " with --json, to standard output otherwise."})
public final class TcpCheck implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-H", "--hosts"}, split = ",", paramLabel = "HOST",
            description = "Hosts to probe, comma-separated names or addresses (default: 127.0.0.1 when --ports is given).")
    List<String> hosts;

    @Option(names = {"-p", "--ports"}, paramLabel = "PORTS",
            description = "Ports to probe: a comma-separated list of ports and ranges, e.g. 22,80,8000-8010.")
    String ports;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N",
            description = "Probes in flight at most (default: ${DEFAULT-VALUE}).")
    int concurrency = 100;

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS",
            description = "Time limit of each connect, in seconds (default: ${DEFAULT-VALUE}).")
    double timeout = 1.0;

    @Option(names = "--json", description = "Print JSON lines (one object per probe) instead of text.")
    boolean json;

    @Option(names = "--open", description = "Print only the open ports (the exit status still counts every probe).")
    boolean onlyOpen;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on standard error (default: only when standard error is a terminal).")
    Boolean progress;

    /** What a probe found. */
    public enum State {
        OPEN, CLOSED, TIMEOUT, ERROR;

        /** @return the name printed: "open", "closed", "timeout", "error" */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One probe's outcome.
     *
     * @param host the host as given
     * @param address the address probed, or null if the host did not resolve
     * @param port the port
     * @param state what was found
     * @param latencyMs how long the connect took to succeed, be refused, or time out
     * @param error why an {@link State#ERROR}, else null
     */
    public record Result(String host, String address, int port, State state, double latencyMs, String error) {
    }

    /** Counts of a run so far; printed as the summary, also after Ctrl-C. */
    public static final class Tally {
        final Map<State, Integer> byState = new LinkedHashMap<>();
        int done;
        int total;

        Tally() {
            for (State s : State.values()) {
                byState.put(s, 0);
            }
        }

        void add(Result r) {
            byState.merge(r.state(), 1, Integer::sum);
            done++;
        }

        /** @return how many probes found {@code s} */
        public int count(State s) {
            return byState.get(s);
        }
    }

    private record Target(String host, InetAddress address, String resolveError, int port) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (concurrency < 1 || !(timeout > 0) || Double.isInfinite(timeout)) {
            err.println("tcpcheck: --concurrency must be at least 1 and --timeout a positive number of seconds");
            err.flush();
            return 2;
        }
        List<Integer> portList = null;
        if (ports != null) {
            try {
                portList = PortList.parse(ports);
            } catch (IllegalArgumentException e) {
                err.println("tcpcheck: --ports: " + e.getMessage());
                err.flush();
                return 2;
            }
        }
        if (hosts != null) {
            for (int i = 0; i < hosts.size(); i++) {
                hosts.set(i, hosts.get(i).strip());
                if (hosts.get(i).isEmpty()) {
                    err.println("tcpcheck: --hosts: an empty host name (give names or addresses separated by commas)");
                    err.flush();
                    return 2;
                }
            }
        }
        if (portList == null && hosts != null) {
            err.println("tcpcheck: --ports is required with --hosts (for example --ports 22,80,8000-8010)");
            err.flush();
            return 2;
        }
        boolean showProgress = progress != null ? progress : Progress.stderrIsTerminal();
        Tally tally = new Tally();
        double t0 = System.nanoTime() / 1e9;
        try {
            if (portList == null) {
                demo(out, err, showProgress, tally);
            } else {
                List<String> hs = hosts == null ? List.of("127.0.0.1") : hosts;
                List<Integer> ps = portList;
                Asyncio.run(() -> scan(hs, ps, out, err, showProgress, tally));
            }
        } catch (KeyboardInterruptException e) {
            err.println();
            err.println("tcpcheck: interrupted after " + tally.done + " of " + probes(tally.total));
            summary(tally, System.nanoTime() / 1e9 - t0, out, err);
            return e.exitStatus();
        } catch (IOException e) {
            err.println("tcpcheck: " + e.getMessage());
            err.flush();
            return 1;
        }
        summary(tally, System.nanoTime() / 1e9 - t0, out, err);
        return tally.count(State.OPEN) == tally.total ? 0 : 1;
    }

    /** The offline default: a local server, and a block of ports around it. */
    private void demo(PrintWriter out, PrintWriter err, boolean showProgress, Tally tally) throws IOException {
        try (LocalTargets local = LocalTargets.reserve(10, List.of(1, 4, 6), 8)) {
            PrintWriter banner = json ? err : out;
            banner.printf(Locale.ROOT, "tcpcheck: no --hosts or --ports given (see --help): probing 127.0.0.1:%d-%d offline.%n"
                            + "A local server listens on %s%s; the other ports are closed.%n",
                    local.first, local.first + local.width - 1, join(local.open),
                    local.saturated < 0 ? "" : " and port " + local.saturated + " accepts no more connections (it times out)");
            banner.flush();
            List<Integer> block = new ArrayList<>();
            for (int p = local.first; p < local.first + local.width; p++) {
                block.add(p);
            }
            Asyncio.run(() -> {
                local.serve(Asyncio.getRunningLoop());
                try {
                    scan(List.of("127.0.0.1"), block, out, err, showProgress, tally);
                } finally {
                    local.close();
                }
            });
        }
    }

    private static String join(List<Integer> ports) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ports.size(); i++) {
            sb.append(i == 0 ? "" : i == ports.size() - 1 ? " and " : ", ").append(ports.get(i));
        }
        return sb.toString();
    }

    /** Runs every probe, printing results as they arrive. Call as a task. */
    void scan(List<String> hosts, List<Integer> ports, PrintWriter out, PrintWriter err, boolean showProgress, Tally tally) {
        EventLoop loop = Asyncio.getRunningLoop();
        List<Target> targets = resolve(hosts, ports);
        tally.total = targets.size();
        Progress bar = new Progress(err, targets.size(), showProgress);
        ConnectOptions options = ConnectOptions.builder().connectTimeout(timeout).build();
        CapacityLimiter limiter = new CapacityLimiter(concurrency);
        AsyncQueue<Result> results = new AsyncQueue<>();
        bar.update(0, 0, loop.time());
        try {
            TaskGroup.run(g -> {
                g.createTask("feeder", () -> {
                    for (Target t : targets) {
                        limiter.acquireOnBehalfOf(t);            // waits while --concurrency probes are in flight
                        g.createTask("probe " + hostPort(t.host(), t.port()), () -> {
                            try {
                                results.put(probe(loop, t, options));
                            } finally {
                                limiter.releaseOnBehalfOf(t);
                            }
                        });
                    }
                });
                for (int i = 0; i < targets.size(); i++) {
                    Result r = results.get();                    // in the order the probes complete
                    tally.add(r);
                    if (!onlyOpen || r.state() == State.OPEN) {
                        bar.clear();
                        out.println(json ? toJson(r) : toText(r));
                        out.flush();
                    }
                    bar.update(tally.done, tally.count(State.OPEN), loop.time());
                }
            });
        } finally {
            bar.clear();
        }
    }

    /** Resolves each host once (off the loop, concurrently); a host that does not resolve yields errors. */
    private static List<Target> resolve(List<String> hosts, List<Integer> ports) {
        EventLoop loop = Asyncio.getRunningLoop();
        Map<String, Object> resolved = new LinkedHashMap<>();
        TaskGroup.run(g -> {
            for (String h : new java.util.LinkedHashSet<>(hosts)) {
                g.createTask("resolve " + h, () -> {
                    try {
                        resolved.put(h, loop.getaddrinfo(h, 0).get(0).getAddress());
                    } catch (UnknownHostException e) {
                        resolved.put(h, "unknown host");
                    } catch (IOException e) {
                        resolved.put(h, "cannot resolve: " + e.getMessage());
                    }
                });
            }
        });
        List<Target> out = new ArrayList<>();
        for (String h : hosts) {
            Object a = resolved.get(h);
            for (int p : ports) {
                out.add(a instanceof InetAddress ia ? new Target(h, ia, null, p) : new Target(h, null, (String) a, p));
            }
        }
        return out;
    }

    /** One connect. Never throws but for cancellation. */
    private static Result probe(EventLoop loop, Target t, ConnectOptions options) {
        if (t.address() == null) {
            return new Result(t.host(), null, t.port(), State.ERROR, 0, t.resolveError());
        }
        String addr = t.address().getHostAddress();
        double start = loop.time();
        State state;
        String error = null;
        try {
            Endpoint<Protocol> e = loop.createConnection(() -> new Protocol() { }, addr, t.port(), options);
            e.transport().close();
            state = State.OPEN;
        } catch (ConnectException refused) {
            state = State.CLOSED;
        } catch (AsyncTimeoutException timedOut) {
            state = State.TIMEOUT;
        } catch (IOException | RuntimeException e) {
            state = State.ERROR;
            error = e.getMessage() != null ? e.getMessage() : e.toString();
        }
        return new Result(t.host(), addr, t.port(), state, (loop.time() - start) * 1000, error);
    }

    /** {@code "1 probe"}, {@code "2 probes"}. */
    static String probes(int n) {
        return n + (n == 1 ? " probe" : " probes");
    }

    /** {@code host:port}, with an IPv6 address in brackets: {@code [::1]:22}. */
    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    static String toText(Result r) {
        String where = hostPort(r.host(), r.port());
        String how = r.state() == State.ERROR ? r.error()
                : String.format(Locale.ROOT, r.latencyMs() < 10 ? "%.2f ms" : "%.0f ms", r.latencyMs());
        return String.format(Locale.ROOT, "%-24s %-8s %s", where, r.state().label(), how);
    }

    static String toJson(Result r) {
        StringBuilder sb = new StringBuilder("{\"host\":").append(quote(r.host()))
                .append(",\"address\":").append(r.address() == null ? "null" : quote(r.address()))
                .append(",\"port\":").append(r.port())
                .append(",\"state\":").append(quote(r.state().label()))
                .append(",\"latency_ms\":").append(String.format(Locale.ROOT, "%.3f", r.latencyMs()));
        if (r.error() != null) {
            sb.append(",\"error\":").append(quote(r.error()));
        }
        return sb.append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
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
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private void summary(Tally t, double seconds, PrintWriter out, PrintWriter err) {
        String line = String.format(Locale.ROOT, "%s in %.2f s: %d open, %d closed, %d timeout, %d error",
                probes(t.done), seconds, t.count(State.OPEN), t.count(State.CLOSED), t.count(State.TIMEOUT), t.count(State.ERROR));
        PrintWriter to = json ? err : out;      // standard output stays pure JSON lines
        to.println(line);
        out.flush();
        err.flush();
    }
}
