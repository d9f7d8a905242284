package io.jasyncio.examples.http;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.http.server.Application;
import io.jasyncio.http.server.HttpCluster;
import io.jasyncio.http.server.HttpServerOptions;
import io.jasyncio.http.server.Response;
import io.jasyncio.http.server.ShutdownReport;
import io.jasyncio.sync.Event;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A static file server on jasyncio-http ({@code docs/http.md}): a directory (or an embedded demo
 * site), a small JSON API, {@code /health}, several loops on one port, and the graceful shutdown
 * on SIGINT or SIGTERM.
 */
@Command(name = "http-serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves the files under DIR over HTTP/1.1: a directory's index.html answers for it, listings are off"
                + " unless --listing, and no request reaches outside DIR ('..', percent-encoded or not, absolute paths,"
                + " symbolic links pointing out and dot-files are all 404).",
                "Also: GET /health (JSON status) and GET /api/files (the regular files directly under DIR, with their"
                + " sizes, as JSON). Every response carries an X-Request-Id (the client's when valid).",
                "With no DIR it serves a small embedded demo site, so it runs offline.",
                "On SIGINT or SIGTERM (Ctrl-C, kill) it shuts down gracefully: stops accepting, closes idle connections,"
                + " lets the requests in flight finish for up to --grace seconds, cancels the rest, and prints what it did.",
                ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "  0:stopped as asked (a signal)",
                "  1:could not listen (the port is taken, the host is not local)",
                "  2:bad usage (an unknown option, a bad value, DIR is not a directory)"},
        footerHeading = "%nExamples:%n",
        footer = {"  ./jasyncio http-serve                then, elsewhere: curl http://127.0.0.1:8080/",
                "  ./jasyncio http-serve --listing ~/www --port 0 --loops $(nproc)"})
public final class HttpServe implements Callable<Integer> {
    private static final List<String> DEMO_FILES = List.of("index.html", "style.css", "hello.txt");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "The directory to serve (default: the embedded demo site).")
    Path dir;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
            description = "Port to listen on; 0 for any free port, which is printed (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--loops", paramLabel = "N",
            description = "Event loops, each on its own thread and listening socket, sharing the port"
                    + " (default: ${DEFAULT-VALUE}; for one per core, the number of cores, as nproc prints it).")
    int loops = 1;

    @Option(names = "--listing", description = "List the entries of a directory that has no index.html.")
    boolean listing;

    @Option(names = "--grace", paramLabel = "SECONDS",
            description = "After a stop signal, how long the requests in flight get to finish (default: ${DEFAULT-VALUE}).")
    double grace = 10;

    @Option(names = "--access-log", description = "Print each response's line (Common Log Format and request ID) on standard error.")
    boolean accessLog;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (port < 0 || port > 65535) {
            return usage(err, "--port must be 0 to 65535, not " + port);
        }
        if (loops < 1) {
            return usage(err, "--loops must be at least 1, not " + loops);
        }
        if (!(grace >= 0)) {
            return usage(err, "--grace must be 0 or more seconds");
        }
        Path root;
        Path demo = null;
        try {
            if (dir == null) {
                demo = extractDemo();
                root = demo;
            } else {
                if (!Files.isDirectory(dir)) {
                    return usage(err, "not a directory: " + dir);
                }
                root = dir.toRealPath();
            }
        } catch (IOException e) {
            err.println("http-serve: " + e.getMessage());
            err.flush();
            return 1;
        }
        Handler logHandler = accessLog ? printTo(err) : null;
        Logger access = Logger.getLogger("io.jasyncio.http.access");
        if (logHandler != null) {
            access.setUseParentHandlers(false);
            access.addHandler(logHandler);
        }
        try {
            return serve(root, demo != null, err);
        } finally {
            if (logHandler != null) {
                access.removeHandler(logHandler);
            }
            if (demo != null) {
                deleteQuietly(demo);
            }
        }
    }

    private int serve(Path root, boolean isDemo, PrintWriter err) {
        Application app = application(root);
        HttpServerOptions options = HttpServerOptions.builder().accessLog(accessLog).build();
        HttpCluster cluster;
        try {
            cluster = HttpCluster.start(app, host, port, options, loops);
        } catch (IOException | RuntimeException e) {
            err.println("http-serve: cannot listen on " + host + ":" + port + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()));
            err.flush();
            return 1;
        }
        String shownHost = host.contains(":") ? "[" + host + "]" : host;
        err.println("http-serve: listening on http://" + shownHost + ":" + cluster.port() + "/ serving "
                + (isDemo ? "the embedded demo site" : root.toString()) + (listing ? " (listings on)" : "")
                + (loops > 1 ? " with " + loops + " loops (SO_REUSEPORT)" : "")
                + "; stop with Ctrl-C or kill " + ProcessHandle.current().pid());
        err.flush();
        String signal = awaitSignal();
        err.println("http-serve: SIG" + signal + ": stopping: no new connections, idle ones closed, requests in flight"
                + " get " + grace + " s");
        err.flush();
        ShutdownReport r;
        try {
            r = cluster.shutdown(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (TimeoutException | IllegalStateException e) {
            err.println("http-serve: shutdown failed: " + e.getMessage());
            err.flush();
            return 1;
        }
        err.println("http-serve: closed " + r.idleClosed() + " idle connection" + (r.idleClosed() == 1 ? "" : "s")
                + "; " + r.finished() + " request" + (r.finished() == 1 ? "" : "s") + " in flight finished, "
                + r.cancelled().size() + " cancelled at the deadline" + (r.cancelled().isEmpty() ? "" : " " + r.cancelled()));
        for (String f : r.hookFailures()) {
            err.println("http-serve: " + f);
        }
        err.println("http-serve: stopped");
        err.flush();
        return 0;
    }

    /** Runs a small loop on this thread that owns SIGINT and SIGTERM until one arrives; returns its name. */
    private static String awaitSignal() {
        return Asyncio.run(() -> {
            EventLoop loop = Asyncio.getRunningLoop();
            Event got = new Event();
            String[] which = new String[1];
            for (String sig : List.of("INT", "TERM")) {
                loop.addSignalHandler(sig, () -> {
                    if (which[0] == null) {
                        which[0] = sig;
                    }
                    got.set();
                });
            }
            try {
                got.await();
            } finally {
                loop.removeSignalHandler("INT");
                loop.removeSignalHandler("TERM");
            }
            return which[0];
        });
    }

    /** The routes: {@code /health}, {@code /api/files}, then the files. */
    Application application(Path root) {
        Application app = new Application();
        app.router().get("/health", req -> Response.json(Map.of("status", "ok")));
        app.router().get("/api/files", req -> Response.json(Map.of("files", Asyncio.toThread(() -> files(root)))));
        app.router().addStatic("/", root, true, listing);
        return app;
    }

    /** The regular files directly under {@code root} (no dot-files, no links out), by name. Blocking. */
    static List<Map<String, Object>> files(Path root) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted(Comparator.comparing(Path::toString)).toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                Path real;
                try {
                    real = p.toRealPath();
                } catch (IOException e) {
                    continue; // a dangling link
                }
                if (!real.startsWith(root) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("name", name);
                f.put("size", Files.size(real));
                out.add(f);
            }
        }
        return out;
    }

    private static Path extractDemo() throws IOException {
        Path d = Files.createTempDirectory("jasyncio-http-serve-demo");
        for (String name : DEMO_FILES) {
            try (InputStream in = HttpServe.class.getResourceAsStream("demo/" + name)) {
                if (in == null) {
                    throw new IOException("the demo site's " + name + " is missing from the build");
                }
                Files.copy(in, d.resolve(name));
            }
        }
        return d.toRealPath();
    }

    private static void deleteQuietly(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(d);
        } catch (IOException ignored) {
            // a temporary directory: the system cleans it up eventually
        }
    }

    private static Handler printTo(PrintWriter err) {
        return new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (err) {
                    err.println("http-serve: " + r.getMessage());
                    err.flush();
                }
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {
            }
        };
    }

    private static int usage(PrintWriter err, String message) {
        err.println("http-serve: " + message);
        err.flush();
        return 2;
    }
}
