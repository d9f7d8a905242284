package io.jasyncio.http.client;

import io.jasyncio.http.Headers;
import java.net.URI;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The cookies of a session, kept and sent by the rules of RFC 6265: {@code Set-Cookie} from every
 * response (redirects included) is stored under its domain and path, and the {@code Cookie} header
 * of each request carries those whose domain and path match, secure ones over https only, longest
 * path first. As aiohttp's default jar, it ignores cookies from hosts that are IP addresses unless
 * made with {@link #unsafe()}; a {@code Domain} attribute without a dot that is not the host
 * itself ({@code Domain=com}) is refused, though there is no public-suffix list. Expiry
 * ({@code Max-Age}, else {@code Expires}) is checked against the wall clock.
 *
 * <p>Not thread-safe: it belongs to its session's loop.
 */
public final class CookieJar {
    /**
     * One stored cookie.
     *
     * @param name its name
     * @param value its value
     * @param domain the domain it is sent to (lower case)
     * @param hostOnly whether only to exactly that host (no {@code Domain} attribute)
     * @param path the path prefix it is sent under
     * @param secure whether only over https
     * @param httpOnly the {@code HttpOnly} flag (kept, not otherwise meaningful here)
     * @param expiresAtMillis wall-clock expiry in epoch milliseconds; {@link Long#MAX_VALUE} for a session cookie
     */
    public record Cookie(String name, String value, String domain, boolean hostOnly, String path, boolean secure,
            boolean httpOnly, long expiresAtMillis) {}

    private final boolean unsafe;
    private final List<Cookie> cookies = new ArrayList<>();

    private CookieJar(boolean unsafe) {
        this.unsafe = unsafe;
    }

    /** A jar that ignores cookies of IP-address hosts (aiohttp's default). */
    public static CookieJar create() {
        return new CookieJar(false);
    }

    /** A jar that also keeps cookies of IP-address hosts ({@code CookieJar(unsafe=True)}). */
    public static CookieJar unsafe() {
        return new CookieJar(true);
    }

    /** The cookies stored now (expired ones dropped first). */
    public List<Cookie> cookies() {
        purge(System.currentTimeMillis());
        return List.copyOf(cookies);
    }

    /** Whether it holds no cookie. */
    public boolean isEmpty() {
        return cookies.isEmpty();
    }

    /** Forgets every cookie. */
    public void clear() {
        cookies.clear();
    }

    /** Stores the cookies of a response's {@code Set-Cookie} fields, received from {@code url}. */
    public void update(URI url, Headers responseHeaders) {
        int i = -1;
        while ((i = responseHeaders.indexOf("Set-Cookie", i + 1)) >= 0) {
            add(url, responseHeaders.value(i));
        }
    }

    /**
     * Stores one {@code Set-Cookie} value received from {@code url}; an invalid or refused one is
     * ignored, as RFC 6265 section 5.2 says.
     */
    public void add(URI url, String setCookie) {
        String host = host(url);
        if (host == null || !unsafe && isIp(host)) {
            return;
        }
        String[] parts = setCookie.split(";");
        int eq = parts[0].indexOf('=');
        if (eq <= 0) {
            return;
        }
        String name = parts[0].substring(0, eq).trim();
        String value = parts[0].substring(eq + 1).trim();
        if (name.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        long expires = Long.MAX_VALUE;
        boolean maxAgeSeen = false;
        String domain = null;
        String path = null;
        boolean secure = false;
        boolean httpOnly = false;
        for (int k = 1; k < parts.length; k++) {
            String a = parts[k].trim();
            int e = a.indexOf('=');
            String key = (e < 0 ? a : a.substring(0, e)).trim().toLowerCase(Locale.ROOT);
            String v = e < 0 ? "" : a.substring(e + 1).trim();
            switch (key) {
                case "max-age" -> {
                    try {
                        long s = Long.parseLong(v);
                        expires = s <= 0 ? Long.MIN_VALUE : now + Math.min(s, Long.MAX_VALUE / 2000) * 1000;
                        maxAgeSeen = true;
                    } catch (NumberFormatException ignored) {
                        // an invalid Max-Age is ignored
                    }
                }
                case "expires" -> {
                    if (!maxAgeSeen) {
                        try {
                            expires = ZonedDateTime.parse(v.replace('-', ' '), LENIENT_DATE).toInstant().toEpochMilli();
                        } catch (DateTimeParseException ignored) {
                            try {
                                expires = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                            } catch (DateTimeParseException alsoIgnored) {
                                // an unparseable date is ignored
                            }
                        }
                    }
                }
                case "domain" -> {
                    String d = v.startsWith(".") ? v.substring(1) : v;
                    domain = d.isEmpty() ? null : d.toLowerCase(Locale.ROOT);
                }
                case "path" -> path = v.startsWith("/") ? v : null;
                case "secure" -> secure = true;
                case "httponly" -> httpOnly = true;
                default -> { }
            }
        }
        boolean hostOnly;
        if (domain == null) {
            hostOnly = true;
            domain = host;
        } else {
            if (!domainMatches(host, domain) || domain.indexOf('.') < 0 && !domain.equals(host)) {
                return;  // for another domain, or a top-level one
            }
            hostOnly = false;
        }
        if (path == null) {
            path = defaultPath(url);
        }
        Cookie c = new Cookie(name, value, domain, hostOnly, path, secure, httpOnly, expires);
        for (int k = 0; k < cookies.size(); k++) {
            Cookie o = cookies.get(k);
            if (o.name.equals(name) && o.domain.equals(domain) && o.path.equals(path)) {
                cookies.remove(k);
                break;
            }
        }
        if (expires > now) {
            cookies.add(c);
        }
    }

    private static final DateTimeFormatter LENIENT_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss zzz", Locale.ROOT);

    /** The {@code Cookie} header for a request to {@code url}, or null if no cookie matches. */
    public String header(URI url) {
        if (cookies.isEmpty()) {
            return null;
        }
        String host = host(url);
        if (host == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        purge(now);
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        List<Cookie> match = new ArrayList<>();
        for (Cookie c : cookies) {
            boolean domainOk = c.hostOnly ? host.equals(c.domain) : domainMatches(host, c.domain);
            if (domainOk && pathMatches(path, c.path) && (!c.secure || https)) {
                match.add(c);
            }
        }
        if (match.isEmpty()) {
            return null;
        }
        match.sort(Comparator.comparingInt((Cookie c) -> -c.path.length()));
        StringBuilder sb = new StringBuilder();
        for (Cookie c : match) {
            if (!sb.isEmpty()) {
                sb.append("; ");
            }
            sb.append(c.name).append('=').append(c.value);
        }
        return sb.toString();
    }

    private void purge(long now) {
        cookies.removeIf(c -> c.expiresAtMillis <= now);
    }

    private static String host(URI url) {
        String h = url.getHost();
        if (h == null) {
            return null;
        }
        h = h.toLowerCase(Locale.ROOT);
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    private static boolean isIp(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** RFC 6265 section 5.1.3. */
    static boolean domainMatches(String host, String domain) {
        return host.equals(domain) || host.endsWith(domain) && host.charAt(host.length() - domain.length() - 1) == '.'
                && !isIp(host);
    }

    /** RFC 6265 section 5.1.4. */
    static boolean pathMatches(String requestPath, String cookiePath) {
        if (requestPath.equals(cookiePath)) {
            return true;
        }
        return requestPath.startsWith(cookiePath)
                && (cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length()) == '/');
    }

    /** RFC 6265 section 5.1.4's default-path. */
    private static String defaultPath(URI url) {
        String p = url.getRawPath();
        if (p == null || p.isEmpty() || p.charAt(0) != '/') {
            return "/";
        }
        int last = p.lastIndexOf('/');
        return last == 0 ? "/" : p.substring(0, last);
    }
}
