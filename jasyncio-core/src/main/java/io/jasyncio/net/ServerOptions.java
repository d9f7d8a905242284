package io.jasyncio.net;

import java.net.ProtocolFamily;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * How {@link io.jasyncio.EventLoop#createServer} listens: the keyword arguments of asyncio's
 * {@code create_server}, as an immutable value.
 *
 * @param backlog the listen queue's length (asyncio's default, 100)
 * @param reuseAddress SO_REUSEADDR (on by default, as asyncio on POSIX: a restarted server can
 *     bind while old connections linger in TIME_WAIT)
 * @param reusePort SO_REUSEPORT: several sockets (several loops, one per core) may listen on the
 *     same port and the kernel spreads connections among them
 * @param family listen on this family only ({@link java.net.StandardProtocolFamily}); null for
 *     every address the host resolves to
 * @param ssl TLS if not null: accepted connections do a server handshake with this context
 * @param sslHandshakeTimeout seconds the TLS handshake of an accepted connection may take (60);
 *     only meaningful with {@code ssl}: another value without it is refused, as in asyncio
 * @param sslShutdownTimeout seconds the TLS close may take before the connection is aborted (30);
 *     only meaningful with {@code ssl}
 * @param startServing accept at once (asyncio's default); false to wait for
 *     {@link Server#startServing()} or {@link Server#serveForever()}
 * @param keepAlive SO_KEEPALIVE on accepted connections
 * @param noDelay TCP_NODELAY on accepted connections
 * @param idleTimeout close an accepted connection on which no byte moved, in either direction, for
 *     this long; null (the default) for never. Every byte received and every byte the kernel takes
 *     from the transport re-arms it, so a server still streaming to a slow reader is not idle; time
 *     during which the server itself holds the connection up (reading paused by its protocol, with
 *     nothing waiting to be sent) does not count. A jasyncio addition: asyncio has no such option
 * @param firstByteTimeout close an accepted connection that has sent no byte this long after it was
 *     accepted (a client that connects and says nothing); null (the default) for never. Over TLS the
 *     first byte is the client's hello. A jasyncio addition, as {@code idleTimeout}
 */
public record ServerOptions(
        int backlog,
        boolean reuseAddress,
        boolean reusePort,
        ProtocolFamily family,
        SSLContext ssl,
        double sslHandshakeTimeout,
        double sslShutdownTimeout,
        boolean startServing,
        boolean keepAlive,
        boolean noDelay,
        Duration idleTimeout,
        Duration firstByteTimeout) {

    /** Backlog 100, SO_REUSEADDR on, plain TCP, serving at once, no idle or first-byte timeout. */
    public static final ServerOptions DEFAULTS =
            new ServerOptions(100, true, false, null, null, 60.0, 30.0, true, false, true, null, null);

    /** Checks the values. */
    public ServerOptions {
        if (ssl == null && (sslHandshakeTimeout != 60.0 || sslShutdownTimeout != 30.0)) {
            throw new IllegalArgumentException((sslHandshakeTimeout != 60.0 ? "sslHandshakeTimeout"
                    : "sslShutdownTimeout") + " is only meaningful with ssl");
        }
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must not be negative: " + backlog);
        }
        if (!(sslHandshakeTimeout > 0) || !(sslShutdownTimeout > 0)) {
            throw new IllegalArgumentException("TLS timeouts must be positive");
        }
        checkTimeout("idleTimeout", idleTimeout);
        checkTimeout("firstByteTimeout", firstByteTimeout);
    }

    private static void checkTimeout(String name, Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException(name + " must be positive (or null for none): " + d);
        }
    }

    /** {@return a builder starting from {@link #DEFAULTS}} */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** {@return a builder starting from these options} */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link ServerOptions}; every setter returns the builder. */
    public static final class Builder {
        private int backlog;
        private boolean reuseAddress;
        private boolean reusePort;
        private ProtocolFamily family;
        private SSLContext ssl;
        private double sslHandshakeTimeout;
        private double sslShutdownTimeout;
        private boolean startServing;
        private boolean keepAlive;
        private boolean noDelay;
        private Duration idleTimeout;
        private Duration firstByteTimeout;

        private Builder(ServerOptions o) {
            backlog = o.backlog;
            reuseAddress = o.reuseAddress;
            reusePort = o.reusePort;
            family = o.family;
            ssl = o.ssl;
            sslHandshakeTimeout = o.sslHandshakeTimeout;
            sslShutdownTimeout = o.sslShutdownTimeout;
            startServing = o.startServing;
            keepAlive = o.keepAlive;
            noDelay = o.noDelay;
            idleTimeout = o.idleTimeout;
            firstByteTimeout = o.firstByteTimeout;
        }

        /**
         * Sets {@link ServerOptions#backlog() backlog}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder backlog(int v) { backlog = v; return this; }
        /**
         * Sets {@link ServerOptions#reuseAddress() reuseAddress}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder reuseAddress(boolean v) { reuseAddress = v; return this; }
        /**
         * Sets {@link ServerOptions#reusePort() reusePort}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder reusePort(boolean v) { reusePort = v; return this; }
        /**
         * Sets {@link ServerOptions#family() family}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder family(ProtocolFamily v) { family = v; return this; }
        /**
         * Sets {@link ServerOptions#ssl() ssl}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder ssl(SSLContext v) { ssl = v; return this; }
        /**
         * Sets {@link ServerOptions#sslHandshakeTimeout() sslHandshakeTimeout}, as documented there.
         *
         * @param seconds the new value
         * @return this builder
         */
        public Builder sslHandshakeTimeout(double seconds) { sslHandshakeTimeout = seconds; return this; }
        /**
         * Sets {@link ServerOptions#sslShutdownTimeout() sslShutdownTimeout}, as documented there.
         *
         * @param seconds the new value
         * @return this builder
         */
        public Builder sslShutdownTimeout(double seconds) { sslShutdownTimeout = seconds; return this; }
        /**
         * Sets {@link ServerOptions#startServing() startServing}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder startServing(boolean v) { startServing = v; return this; }
        /**
         * Sets {@link ServerOptions#keepAlive() keepAlive}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder keepAlive(boolean v) { keepAlive = v; return this; }
        /**
         * Sets {@link ServerOptions#noDelay() noDelay}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder noDelay(boolean v) { noDelay = v; return this; }
        /**
         * Sets {@link ServerOptions#idleTimeout() idleTimeout}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        /**
         * Sets {@link ServerOptions#firstByteTimeout() firstByteTimeout}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder firstByteTimeout(Duration v) { firstByteTimeout = v; return this; }

        /** {@return the options, once checked} */
        public ServerOptions build() {
            return new ServerOptions(backlog, reuseAddress, reusePort, family, ssl, sslHandshakeTimeout,
                    sslShutdownTimeout, startServing, keepAlive, noDelay, idleTimeout, firstByteTimeout);
        }
    }
}
