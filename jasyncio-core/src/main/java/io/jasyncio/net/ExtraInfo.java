package io.jasyncio.net;

/**
 * The names {@link BaseTransport#getExtraInfo(String)} answers, as asyncio's.
 */
public final class ExtraInfo {
    private ExtraInfo() {}

    /** The remote address, a {@link java.net.SocketAddress}. */
    public static final String PEERNAME = "peername";
    /** The local address, a {@link java.net.SocketAddress}. */
    public static final String SOCKNAME = "sockname";
    /** The channel itself: a {@link java.nio.channels.SocketChannel} or {@link java.nio.channels.DatagramChannel}. */
    public static final String SOCKET = "socket";
    /** TLS: the {@link javax.net.ssl.SSLContext}. */
    public static final String SSL_CONTEXT = "sslcontext";
    /** TLS: the {@link javax.net.ssl.SSLEngine} (asyncio's {@code ssl_object}). */
    public static final String SSL_OBJECT = "ssl_object";
    /** TLS: the {@link javax.net.ssl.SSLSession}. */
    public static final String SSL_SESSION = "sslsession";
    /** TLS: the peer's certificate chain, a {@code java.security.cert.Certificate[]}, or absent. */
    public static final String PEERCERT = "peercert";
    /** TLS: the negotiated cipher suite's name, a String. */
    public static final String CIPHER = "cipher";
    /** TLS: the negotiated protocol (for example "TLSv1.3"), a String. */
    public static final String TLS_VERSION = "tls_version";
    /** Subprocess pipes: the {@link java.lang.Process}. */
    public static final String PROCESS = "process";
}
