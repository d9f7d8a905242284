package io.jasyncio.http.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One route of a {@link Router}: a method (or {@code *} for any), a path pattern and a handler,
 * with an optional name (for {@link #url}) and body limit. A pattern is a path whose segments may
 * hold {@code {name}} (one segment: anything but {@code /}) or {@code {name:regex}} parameters,
 * matched against the percent-decoded path; a pattern without parameters is matched by an exact
 * lookup, without a regular expression. Changeable until the application starts.
 */
public final class Route {
    private final Application app;
    private final String method;
    private final String path;
    private final Handler handler;
    private final List<String> literals = new ArrayList<>(); // literal before each parameter, then the tail
    private final List<String> params = new ArrayList<>();
    private final List<String> regexes = new ArrayList<>();
    private String name;
    private long bodyLimit = -1;

    Route(Application app, String method, String path, Handler handler) {
        this.app = app;
        this.method = Objects.requireNonNull(method, "method");
        this.path = Objects.requireNonNull(path, "path");
        this.handler = Objects.requireNonNull(handler, "handler");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a route's path starts with '/': " + path);
        }
        if (!method.equals("*") && !Forms.isToken(method)) {
            throw new IllegalArgumentException("not a method token: " + method);
        }
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '{') {
                int depth = 1;
                int j = i + 1;
                while (j < path.length() && depth > 0) {
                    char d = path.charAt(j);
                    if (d == '{') {
                        depth++;
                    } else if (d == '}') {
                        depth--;
                    }
                    j++;
                }
                if (depth != 0) {
                    throw new IllegalArgumentException("unbalanced '{' in route path: " + path);
                }
                String inner = path.substring(i + 1, j - 1);
                int colon = inner.indexOf(':');
                String pname = colon < 0 ? inner : inner.substring(0, colon);
                String regex = colon < 0 ? "[^/]+" : inner.substring(colon + 1);
                if (pname.isEmpty() || !pname.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
                    throw new IllegalArgumentException("bad parameter name '" + pname + "' in route path: " + path);
                }
                if (params.contains(pname)) {
                    throw new IllegalArgumentException("parameter '" + pname + "' twice in route path: " + path);
                }
                java.util.regex.Pattern.compile(regex); // fails early on a bad regex
                literals.add(lit.toString());
                lit.setLength(0);
                params.add(pname);
                regexes.add(regex);
                i = j - 1;
            } else if (c == '}') {
                throw new IllegalArgumentException("unbalanced '}' in route path: " + path);
            } else {
                lit.append(c);
            }
        }
        literals.add(lit.toString());
    }

    /** Names this route, for {@link Router#url}; returns this. */
    public Route name(String routeName) {
        app.checkNotFrozen();
        app.router().register(routeName, this);
        this.name = routeName;
        return this;
    }

    /**
     * Sets the largest request body this route accepts (else the server's
     * {@code maxBodySize}, 1 MiB by default); a larger body is answered 413, before it is read
     * when its {@code Content-Length} says so. Returns this.
     */
    public Route bodyLimit(long bytes) {
        app.checkNotFrozen();
        if (bytes < 0) {
            throw new IllegalArgumentException("negative body limit");
        }
        this.bodyLimit = bytes;
        return this;
    }

    /** The method, or {@code *} for any. */
    public String method() {
        return method;
    }

    /** The path pattern as given (without a sub-application's prefix). */
    public String path() {
        return path;
    }

    /** The name, or null. */
    public String name() {
        return name;
    }

    /** The body limit, or -1 for the server's. */
    public long bodyLimitOrDefault() {
        return bodyLimit;
    }

    Handler handler() {
        return handler;
    }

    Application app() {
        return app;
    }

    boolean isStatic() {
        return params.isEmpty();
    }

    /** The regex of the whole pattern under {@code prefix}, with groups named {@code g0, g1, ...}. */
    String regex(String prefix) {
        StringBuilder b = new StringBuilder(java.util.regex.Pattern.quote(prefix));
        for (int i = 0; i < params.size(); i++) {
            if (!literals.get(i).isEmpty()) {
                b.append(java.util.regex.Pattern.quote(literals.get(i)));
            }
            b.append("(?<g").append(i).append('>').append(regexes.get(i)).append(')');
        }
        String tail = literals.get(params.size());
        if (!tail.isEmpty()) {
            b.append(java.util.regex.Pattern.quote(tail));
        }
        return b.toString();
    }

    List<String> paramNames() {
        return params;
    }

    /**
     * The URL path of this route with {@code parts} filled in (percent-encoded; {@code /} kept in
     * a regex parameter's value), under its application's prefix (aiohttp's {@code url_for}).
     *
     * @throws IllegalArgumentException if a parameter is missing or its value does not match
     */
    public String url(Map<String, String> parts) {
        StringBuilder b = new StringBuilder(app.prefix());
        for (int i = 0; i < params.size(); i++) {
            b.append(literals.get(i));
            String v = parts.get(params.get(i));
            if (v == null) {
                throw new IllegalArgumentException("missing route parameter '" + params.get(i) + "' for " + path);
            }
            if (!v.matches(regexes.get(i))) {
                throw new IllegalArgumentException("value '" + v + "' does not match {" + params.get(i) + ":" + regexes.get(i) + "}");
            }
            String[] segs = v.split("/", -1);
            for (int s = 0; s < segs.length; s++) {
                if (s > 0) {
                    b.append('/');
                }
                b.append(Forms.encodeSegment(segs[s]));
            }
        }
        b.append(literals.get(params.size()));
        return b.toString();
    }

    @Override
    public String toString() {
        return method + " " + app.prefix() + path;
    }
}
