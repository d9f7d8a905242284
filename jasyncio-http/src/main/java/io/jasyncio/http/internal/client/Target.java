package io.jasyncio.http.internal.client;

import java.net.URI;

/**
 * Where a request goes, parsed once from its absolute URL: the pool key (scheme, host, port), the
 * host to connect to, the {@code Host} header and the origin-form target.
 *
 * @param uri the absolute URL
 * @param https whether the scheme is https
 * @param host the host to connect to (an IPv6 literal without brackets)
 * @param port the port
 * @param key the pool key, {@code scheme://host:port}
 * @param hostHeader the {@code Host} header's value
 * @param target the origin-form request target ({@code /path?query})
 */
public record Target(URI uri, boolean https, String host, int port, String key, String hostHeader, String target) {
    /**
     * Parses an absolute http or https URL.
     *
     * @throws IllegalArgumentException if it is not one, naming what is wrong
     */
    public static Target of(URI uri) {
        String scheme = uri.getScheme();
        if (scheme == null || !uri.isAbsolute()) {
            throw new IllegalArgumentException("not an absolute URL: " + uri);
        }
        scheme = scheme.toLowerCase(java.util.Locale.ROOT);
        boolean https;
        if (scheme.equals("http")) {
            https = false;
        } else if (scheme.equals("https")) {
            https = true;
        } else {
            throw new IllegalArgumentException("only http and https URLs are supported: " + uri);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("URL without a host: " + uri);
        }
        String connectHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int defaultPort = https ? 443 : 80;
        int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
        String hostHeader = port == defaultPort ? host : host + ":" + port;
        String path = uri.getRawPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        String q = uri.getRawQuery();
        String target = q == null ? path : path + "?" + q;
        String key = scheme + "://" + host.toLowerCase(java.util.Locale.ROOT) + ":" + port;
        return new Target(uri, https, connectHost, port, key, hostHeader, target);
    }

    /** Whether {@code other} has the same origin (scheme, host and port). */
    public boolean sameOrigin(Target other) {
        return key.equals(other.key);
    }
}
