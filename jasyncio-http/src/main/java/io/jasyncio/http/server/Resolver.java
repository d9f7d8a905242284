package io.jasyncio.http.server;

import io.jasyncio.http.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The frozen routing table of an application tree: exact paths by lookup, then patterns in order. */
final class Resolver {
    /** A route with its full path and its middleware chain composed. */
    static final class Target {
        final Route route;
        final Handler chain;
        final Application app;
        final long bodyLimit;
        final Match staticMatch;
        boolean fallback;

        Target(Route route, Handler chain, long bodyLimit) {
            this.route = route;
            this.chain = chain;
            this.app = route.app();
            this.bodyLimit = bodyLimit;
            this.staticMatch = new Match(this, Map.of());
        }
    }

    /** The result of a lookup: what answers and the parameters. */
    record Match(Target target, Map<String, String> params) {
    }

    private static final class Resource {
        final Pattern pattern; // null for an exact path
        final List<String> names;
        final Map<String, Target> byMethod = new LinkedHashMap<>();
        Target any;

        Resource(Pattern pattern, List<String> names) {
            this.pattern = pattern;
            this.names = names;
        }

        Target find(String method) {
            Target t = byMethod.get(method);
            if (t == null && method.equals(Method.HEAD)) {
                t = byMethod.get(Method.GET);
            }
            return t != null ? t : any;
        }

        void allowed(Set<String> into) {
            for (String m : byMethod.keySet()) {
                into.add(m);
                if (m.equals(Method.GET)) {
                    into.add(Method.HEAD);
                }
            }
        }
    }

    private final Map<String, Resource> exact = new HashMap<>();
    private final List<Resource> patterns = new ArrayList<>();
    private final Map<String, Resource> patternsBySource = new HashMap<>();
    private final Target notFound;
    private final Application root;

    Resolver(Application root, long defaultBodyLimit) {
        this.root = root;
        add(root, new ArrayList<>(), defaultBodyLimit);
        Route nf = new Route(root, "*", "/", req -> {
            throw req.notFoundOrNotAllowed();
        });
        notFound = new Target(nf, compose(root.middlewares(), nf.handler()), defaultBodyLimit);
        notFound.fallback = true;
    }

    private void add(Application app, List<Middleware> outer, long defaultLimit) {
        List<Middleware> chain = new ArrayList<>(outer);
        chain.addAll(app.middlewares());
        for (Route r : app.router().routes()) {
            long limit = r.bodyLimitOrDefault() >= 0 ? r.bodyLimitOrDefault() : defaultLimit;
            Target t = new Target(r, compose(chain, r.handler()), limit);
            Resource res;
            if (r.isStatic()) {
                res = exact.computeIfAbsent(app.prefix() + r.path(), k -> new Resource(null, List.of()));
            } else {
                String regex = r.regex(app.prefix());
                res = patternsBySource.get(regex);
                if (res == null) {
                    res = new Resource(Pattern.compile(regex), r.paramNames());
                    patternsBySource.put(regex, res);
                    patterns.add(res);
                }
            }
            if (r.method().equals("*")) {
                if (res.any == null) {
                    res.any = t;
                }
            } else {
                res.byMethod.putIfAbsent(r.method(), t);
            }
        }
        for (Application sub : app.subapps()) {
            add(sub, chain, defaultLimit);
        }
    }

    private static Handler compose(List<Middleware> chain, Handler end) {
        Handler h = end;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Middleware m = chain.get(i);
            Handler next = h;
            h = req -> m.handle(req, next);
        }
        return h;
    }

    /** The route answering {@code method} on the decoded {@code path}; the not-found target (with the allowed methods) if none. */
    Match resolve(String method, String path, Request into) {
        Resource res = exact.get(path);
        Set<String> allowed = null;
        if (res != null) {
            Target t = res.find(method);
            if (t != null) {
                return t.staticMatch;
            }
            allowed = new LinkedHashSet<>();
            res.allowed(allowed);
        }
        for (Resource p : patterns) {
            Matcher m = p.pattern.matcher(path);
            if (!m.matches()) {
                continue;
            }
            Target t = p.find(method);
            if (t != null) {
                Map<String, String> params = new HashMap<>(p.names.size() * 2);
                for (int i = 0; i < p.names.size(); i++) {
                    params.put(p.names.get(i), m.group("g" + i));
                }
                return new Match(t, params);
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            p.allowed(allowed);
        }
        into.allowed = allowed;
        return notFound.staticMatch;
    }

    Application root() {
        return root;
    }
}
