package io.jasyncio.http;

/**
 * The HTTP versions jasyncio speaks on the wire: 1.0 and 1.1. A message with any other version is
 * refused (status 505 when the version is well formed, 400 when it is not).
 */
public enum HttpVersion {
    /** HTTP/1.0: connections close after each message unless {@code Connection: keep-alive}. */
    HTTP_1_0(1, 0),
    /** HTTP/1.1: connections persist unless {@code Connection: close}. */
    HTTP_1_1(1, 1);

    private final int major;
    private final int minor;
    private final String text;

    HttpVersion(int major, int minor) {
        this.major = major;
        this.minor = minor;
        this.text = "HTTP/" + major + "." + minor;
    }

    /** The major version number (1). */
    public int major() {
        return major;
    }

    /** The minor version number (0 or 1). */
    public int minor() {
        return minor;
    }

    /** The version as written on the wire, {@code "HTTP/1.1"}. */
    public String text() {
        return text;
    }

    /** The same as {@link #text()}. */
    @Override
    public String toString() {
        return text;
    }
}
