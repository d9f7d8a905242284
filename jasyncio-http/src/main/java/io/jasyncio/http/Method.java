package io.jasyncio.http;

/**
 * Names of the common request methods. A method is any token (RFC 9110 section 9), compared
 * case-sensitively; these constants are the strings the parser hands out for the methods it
 * recognises, so {@code ==} works for them but {@link String#equals} is the contract.
 */
public final class Method {
    /** {@code GET}. */
    public static final String GET = "GET";
    /** {@code HEAD}: a response to it never has content. */
    public static final String HEAD = "HEAD";
    /** {@code POST}. */
    public static final String POST = "POST";
    /** {@code PUT}. */
    public static final String PUT = "PUT";
    /** {@code DELETE}. */
    public static final String DELETE = "DELETE";
    /** {@code CONNECT}: its target is in authority-form and a 2xx answer turns the connection into a tunnel. */
    public static final String CONNECT = "CONNECT";
    /** {@code OPTIONS}: the only method whose target may be {@code *}. */
    public static final String OPTIONS = "OPTIONS";
    /** {@code TRACE}. */
    public static final String TRACE = "TRACE";
    /** {@code PATCH} (RFC 5789). */
    public static final String PATCH = "PATCH";

    private Method() {
    }
}
