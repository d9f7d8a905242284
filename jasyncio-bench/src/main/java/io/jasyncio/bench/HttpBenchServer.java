package io.jasyncio.bench;

import io.jasyncio.Asyncio;
import io.jasyncio.http.server.Application;
import io.jasyncio.http.server.HttpServer;
import io.jasyncio.http.server.Response;

/**
 * The jasyncio side of the HTTP server benchmark (../shared/bench/http/run.sh): one loop on
 * 127.0.0.1:PORT answering {@code GET /} with {@code Hello, World!} (text/plain) and
 * {@code GET /json} with {@code {"message":"Hello, World!"}} serialised by Jackson per request,
 * 404 elsewhere, as the peers do.
 *
 * <p>Usage: {@code HttpBenchServer PORT [MAX_SECS]}; stops by itself after MAX_SECS (default 600).
 */
public final class HttpBenchServer {
    private HttpBenchServer() {}

    /** The JSON body's shape. */
    public record Message(String message) {}

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: HttpBenchServer PORT [MAX_SECS]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        double maxSecs = args.length > 1 ? Double.parseDouble(args[1]) : 600;
        Asyncio.run(() -> {
            Application app = new Application();
            app.router().get("/", r -> Response.text("Hello, World!"));
            app.router().get("/json", r -> Response.json(new Message("Hello, World!")));
            HttpServer server = HttpServer.start(app, "127.0.0.1", port);
            System.err.println("listening on 127.0.0.1:" + server.port());
            Asyncio.sleep(maxSecs);
            server.shutdown(1);
        });
    }
}
