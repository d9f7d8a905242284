package io.jasyncio.http.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A web application (aiohttp's {@code web.Application}): its {@link #router() routes}, its
 * {@link #use middlewares}, sub-applications mounted under a prefix, startup, shutdown and
 * cleanup hooks, cleanup contexts, and a {@link #state() state} map for what the handlers share
 * (a connection pool, a cache). It is configured on one task, then frozen when a server starts it:
 * after that, changing it throws {@link IllegalStateException}.
 *
 * <pre>{@code
 * Application app = new Application();
 * app.router().get("/", req -> Response.text("Hello"));
 * app.router().get("/users/{id:\\d+}", req -> Response.json(Map.of("id", req.matchInfo("id")))).name("user");
 * HttpServer server = HttpServer.start(app, "127.0.0.1", 8080);
 * }</pre>
 */
public final class Application {
    private final Router router = new Router(this);
    private final List<Middleware> middlewares = new ArrayList<>();
    private final List<Hook> onStartup = new ArrayList<>();
    private final List<Hook> onShutdown = new ArrayList<>();
    private final List<Hook> onCleanup = new ArrayList<>();
    private final List<CleanupContext> cleanupContexts = new ArrayList<>();
    private final Map<String, Object> state = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Application> subapps = new ArrayList<>();
    private final List<String> subPrefixes = new ArrayList<>();
    private Application parent;
    private String prefix = "";
    private boolean frozen;

    /** An empty application. */
    public Application() {
    }

    /** The routes. */
    public Router router() {
        return router;
    }

    /** Appends a middleware: the first added is the outermost. Returns this. */
    public Application use(Middleware middleware) {
        checkNotFrozen();
        middlewares.add(Objects.requireNonNull(middleware, "middleware"));
        return this;
    }

    /** Runs {@code hook} when the server starts, before it accepts connections. Returns this. */
    public Application onStartup(Hook hook) {
        checkNotFrozen();
        onStartup.add(Objects.requireNonNull(hook));
        return this;
    }

    /** Runs {@code hook} at the start of a graceful shutdown, when long-lived responses are told to finish. Returns this. */
    public Application onShutdown(Hook hook) {
        checkNotFrozen();
        onShutdown.add(Objects.requireNonNull(hook));
        return this;
    }

    /** Runs {@code hook} at the end of a shutdown, after the requests are done. Returns this. */
    public Application onCleanup(Hook hook) {
        checkNotFrozen();
        onCleanup.add(Objects.requireNonNull(hook));
        return this;
    }

    /** Adds a cleanup context (aiohttp's {@code cleanup_ctx}). Returns this. */
    public Application cleanupContext(CleanupContext context) {
        checkNotFrozen();
        cleanupContexts.add(Objects.requireNonNull(context));
        return this;
    }

    /**
     * Mounts {@code sub} under {@code prefix} (aiohttp's {@code add_subapp}): its routes answer
     * at {@code prefix + path}, its middlewares run inside this application's, and its hooks run
     * with this one's (after them at startup, before them at cleanup). Returns this.
     *
     * @param prefix a path starting with {@code /}, without a trailing {@code /}
     */
    public Application addSubapp(String prefix, Application sub) {
        checkNotFrozen();
        sub.checkNotFrozen();
        if (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("{")) {
            throw new IllegalArgumentException("a sub-application prefix starts with '/', does not end with one and has no parameters: " + prefix);
        }
        if (sub == this || sub.parent != null) {
            throw new IllegalArgumentException("this application is already mounted");
        }
        sub.parent = this;
        sub.setPrefix(this.prefix + prefix);
        subapps.add(sub);
        subPrefixes.add(prefix);
        return this;
    }

    private void setPrefix(String p) {
        prefix = p;
        for (int i = 0; i < subapps.size(); i++) {
            subapps.get(i).setPrefix(p + subPrefixes.get(i));
        }
    }

    /** The full prefix this application is mounted under ({@code ""} for a root). */
    public String prefix() {
        return prefix;
    }

    /** The application this one is mounted in, or null. */
    public Application parent() {
        return parent;
    }

    /** State shared by the handlers (aiohttp's {@code app[key]}); thread-safe, but use it from the loop. */
    public Map<String, Object> state() {
        return state;
    }

    /**
     * The state under {@code key}, looked up in this application and then its parents, as
     * {@code type}.
     *
     * @throws java.util.NoSuchElementException if no application has it
     */
    public <T> T get(String key, Class<T> type) {
        for (Application a = this; a != null; a = a.parent) {
            Object v = a.state.get(key);
            if (v != null) {
                return type.cast(v);
            }
        }
        throw new java.util.NoSuchElementException("no application state '" + key + "'");
    }

    /** Whether a server has started it (it can no longer be changed). */
    public boolean isFrozen() {
        return frozen;
    }

    void checkNotFrozen() {
        if (frozen) {
            throw new IllegalStateException("the application is frozen: a server started it");
        }
    }

    void freeze() {
        frozen = true;
        for (Application s : subapps) {
            s.freeze();
        }
    }

    List<Middleware> middlewares() {
        return middlewares;
    }

    List<Application> subapps() {
        return subapps;
    }

    /** This application and its sub-applications, parents first. */
    List<Application> tree() {
        List<Application> out = new ArrayList<>();
        out.add(this);
        for (Application s : subapps) {
            out.addAll(s.tree());
        }
        return out;
    }

    List<Hook> startupHooks() {
        return onStartup;
    }

    List<Hook> shutdownHooks() {
        return onShutdown;
    }

    List<Hook> cleanupHooks() {
        return onCleanup;
    }

    List<CleanupContext> cleanupContexts() {
        return cleanupContexts;
    }

    @Override
    public String toString() {
        return "Application[" + (prefix.isEmpty() ? "/" : prefix) + ", " + router.routes().size() + " routes]";
    }
}
