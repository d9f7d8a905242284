package io.jasyncio.http.server;

import io.jasyncio.http.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes of one {@link Application} (aiohttp's {@code app.router}): each maps a method and a
 * path pattern to a handler. A request's path is matched against the patterns in the order they
 * were added (static paths first, by an exact lookup); {@code GET} routes answer {@code HEAD} too.
 * A path that no route matches is answered 404; a path that matches only with other methods, 405
 * with {@code Allow}.
 */
public final class Router {
    private final Application app;
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, Route> named = new HashMap<>();

    Router(Application app) {
        this.app = app;
    }

    /** Adds a route for {@code method} ({@code *} for any method); returns it, to name it or set its limit. */
    public Route route(String method, String path, Handler handler) {
        app.checkNotFrozen();
        Route r = new Route(app, method, path, handler);
        routes.add(r);
        return r;
    }

    /** A {@code GET} route (which answers {@code HEAD} too). */
    public Route get(String path, Handler handler) {
        return route(Method.GET, path, handler);
    }

    /** A {@code POST} route. */
    public Route post(String path, Handler handler) {
        return route(Method.POST, path, handler);
    }

    /** A {@code PUT} route. */
    public Route put(String path, Handler handler) {
        return route(Method.PUT, path, handler);
    }

    /** A {@code PATCH} route. */
    public Route patch(String path, Handler handler) {
        return route(Method.PATCH, path, handler);
    }

    /** A {@code DELETE} route. */
    public Route delete(String path, Handler handler) {
        return route(Method.DELETE, path, handler);
    }

    /** A route for any method. */
    public Route any(String path, Handler handler) {
        return route("*", path, handler);
    }

    /**
     * Serves the files under {@code dir} at {@code prefix + "/" + relative path} (aiohttp's
     * {@code add_static}; {@code GET} and {@code HEAD}): no path leaves the directory (no
     * {@code ..}, no symbolic link out, no dot-files), directories are not listed,
     * {@code Content-Type} follows the extension, {@code If-Modified-Since} gives 304 and one
     * {@code Range} 206. The file is read off the loop and written in 64 KiB pieces with
     * back-pressure (the Transport API has no zero-copy {@code transferTo}).
     *
     * @param prefix a path starting with {@code /}, without a trailing {@code /}
     * @throws IllegalArgumentException if {@code dir} is not a directory
     */
    public Route addStatic(String prefix, java.nio.file.Path dir) {
        return addStatic(prefix, dir, false, false);
    }

    /**
     * {@link #addStatic(String, java.nio.file.Path)}, and for a directory: with {@code indexFile}
     * its {@code index.html} answers for it; otherwise, with {@code showIndex} (aiohttp's
     * {@code show_index}), an HTML list of its entries (dot-files left out); otherwise 404. A
     * directory asked for without its final {@code /} is redirected (301) there. The prefix
     * {@code "/"} serves the directory at the root (routes with exact paths, such as
     * {@code /health}, are still found first).
     */
    public Route addStatic(String prefix, java.nio.file.Path dir, boolean indexFile, boolean showIndex) {
        if (prefix.equals("/")) {
            return get("/{filename:.*}", new StaticFiles(dir, indexFile, showIndex));
        }
        if (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("{")) {
            throw new IllegalArgumentException("a static prefix starts with '/', does not end with one and has no parameters: " + prefix);
        }
        return get(prefix + "/{filename:.*}", new StaticFiles(dir, indexFile, showIndex));
    }

    /** The routes, in the order added. */
    public List<Route> routes() {
        return Collections.unmodifiableList(routes);
    }

    /** The route named {@code name}, or null. */
    public Route named(String name) {
        return named.get(name);
    }

    /**
     * The URL path of the route named {@code name} with {@code parts} filled in (aiohttp's
     * {@code app.router[name].url_for(**parts)}).
     *
     * @throws IllegalArgumentException if there is no such route, or a part is missing or does not match
     */
    public String url(String name, Map<String, String> parts) {
        Route r = named.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no route named '" + name + "'");
        }
        return r.url(parts);
    }

    /** The URL path of the route named {@code name}, which has no parameters. */
    public String url(String name) {
        return url(name, Map.of());
    }

    void register(String name, Route r) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty route name");
        }
        Route old = named.putIfAbsent(name, r);
        if (old != null && old != r) {
            throw new IllegalArgumentException("route name '" + name + "' already used by " + old);
        }
    }
}
