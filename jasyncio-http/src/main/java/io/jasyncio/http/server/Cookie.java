package io.jasyncio.http.server;

import java.util.Objects;

/**
 * A cookie a response sets ({@code Set-Cookie}, RFC 6265 section 4.1), with its attributes;
 * build it with {@link #of(String, String)} and the {@code with…} methods.
 *
 * @param name     the name, a token
 * @param value    the value: cookie-octets (no spaces, quotes, commas, semicolons or backslashes)
 * @param path     {@code Path}, or null
 * @param domain   {@code Domain}, or null
 * @param maxAge   {@code Max-Age} in seconds, or -1 for none (0 deletes)
 * @param expires  {@code Expires} as an HTTP date, or null
 * @param secure   {@code Secure}
 * @param httpOnly {@code HttpOnly}
 * @param sameSite {@code SameSite} ({@code Strict}, {@code Lax}, {@code None}), or null
 */
public record Cookie(String name, String value, String path, String domain, long maxAge, String expires,
                     boolean secure, boolean httpOnly, String sameSite) {
    /** Checks the name and value. */
    public Cookie {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || !Forms.isToken(name)) {
            throw new IllegalArgumentException("a cookie name must be a token: " + name);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\') {
                throw new IllegalArgumentException("a cookie value must be cookie-octets: " + value);
            }
        }
    }

    /** A session cookie with no attributes. */
    public static Cookie of(String name, String value) {
        return new Cookie(name, value, null, null, -1, null, false, false, null);
    }

    /** With {@code Path}. */
    public Cookie withPath(String p) {
        return new Cookie(name, value, p, domain, maxAge, expires, secure, httpOnly, sameSite);
    }

    /** With {@code Domain}. */
    public Cookie withDomain(String d) {
        return new Cookie(name, value, path, d, maxAge, expires, secure, httpOnly, sameSite);
    }

    /** With {@code Max-Age}. */
    public Cookie withMaxAge(long seconds) {
        return new Cookie(name, value, path, domain, seconds, expires, secure, httpOnly, sameSite);
    }

    /** With {@code Expires}. */
    public Cookie withExpires(String httpDate) {
        return new Cookie(name, value, path, domain, maxAge, httpDate, secure, httpOnly, sameSite);
    }

    /** With {@code Secure}. */
    public Cookie withSecure(boolean on) {
        return new Cookie(name, value, path, domain, maxAge, expires, on, httpOnly, sameSite);
    }

    /** With {@code HttpOnly}. */
    public Cookie withHttpOnly(boolean on) {
        return new Cookie(name, value, path, domain, maxAge, expires, secure, on, sameSite);
    }

    /** With {@code SameSite}. */
    public Cookie withSameSite(String s) {
        return new Cookie(name, value, path, domain, maxAge, expires, secure, httpOnly, s);
    }

    /** The {@code Set-Cookie} field value. */
    public String headerValue() {
        StringBuilder b = new StringBuilder(name).append('=').append(value);
        if (path != null) {
            b.append("; Path=").append(path);
        }
        if (domain != null) {
            b.append("; Domain=").append(domain);
        }
        if (maxAge >= 0) {
            b.append("; Max-Age=").append(maxAge);
        }
        if (expires != null) {
            b.append("; Expires=").append(expires);
        }
        if (secure) {
            b.append("; Secure");
        }
        if (httpOnly) {
            b.append("; HttpOnly");
        }
        if (sameSite != null) {
            b.append("; SameSite=").append(sameSite);
        }
        return b.toString();
    }
}
