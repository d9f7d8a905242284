package io.jasyncio.net;

import java.net.ProtocolFamily;
import java.net.SocketAddress;
import javax.net.ssl.SSLContext;

/**
 * How {@link io.jasyncio.EventLoop#createConnection} connects: the keyword arguments of asyncio's
 * {@code create_connection}, as an immutable value. {@code ConnectOptions.DEFAULTS} connects in
 * plain TCP with no time limit.
 *
 * @param ssl TLS if not null: the context to build the client engine from
 * @param serverHostname the name TLS verifies and sends as SNI; null means the host connected to.
 *     Empty turns hostname verification and SNI off.
 * @param localAddress bind to this before connecting; null for any. An unresolved address is
 *     resolved, and each remote address is tried with a local address of its own family (an
 *     attempt with none fails with a {@link java.net.SocketException}, and the next is tried)
 * @param family restrict name resolution to this family ({@link java.net.StandardProtocolFamily});
 *     null for any
 * @param connectTimeout seconds for the whole connect (all addresses, and the TLS handshake);
 *     infinite for none
 * @param happyEyeballsDelay seconds before the next address is tried in parallel (RFC 8305); NaN
 *     tries one after another, as asyncio's default
 * @param interleave how many addresses of the first family come before the other family's first
 *     (RFC 8305's "First Address Family Count"); 0 keeps the resolver's order (1 when happy
 *     eyeballs is on, as asyncio)
 * @param sslHandshakeTimeout seconds the TLS handshake may take (60); only meaningful with
 *     {@code ssl}: another value without it is refused, as in asyncio
 * @param sslShutdownTimeout seconds the TLS close may take before the connection is aborted (30);
 *     only meaningful with {@code ssl}
 * @param noDelay set TCP_NODELAY (asyncio sets it on every TCP transport)
 */
public record ConnectOptions(
        SSLContext ssl,
        String serverHostname,
        SocketAddress localAddress,
        ProtocolFamily family,
        double connectTimeout,
        double happyEyeballsDelay,
        int interleave,
        double sslHandshakeTimeout,
        double sslShutdownTimeout,
        boolean noDelay) {

    /** Plain TCP, no local address, no time limit, addresses tried in turn. */
    public static final ConnectOptions DEFAULTS = new ConnectOptions(
            null, null, null, null, Double.POSITIVE_INFINITY, Double.NaN, 0, 60.0, 30.0, true);

    /** Checks the values. */
    public ConnectOptions {
        if (!(connectTimeout > 0)) {
            throw new IllegalArgumentException("connectTimeout must be positive (infinite for none): " + connectTimeout);
        }
        if (happyEyeballsDelay < 0) {
            throw new IllegalArgumentException("happyEyeballsDelay must not be negative (NaN for off): " + happyEyeballsDelay);
        }
        if (interleave < 0) {
            throw new IllegalArgumentException("interleave must not be negative: " + interleave);
        }
        if (!(sslHandshakeTimeout > 0) || !(sslShutdownTimeout > 0)) {
            throw new IllegalArgumentException("TLS timeouts must be positive");
        }
        if (ssl == null && serverHostname != null) {
            throw new IllegalArgumentException("serverHostname is only meaningful with ssl");
        }
        if (ssl == null && (sslHandshakeTimeout != 60.0 || sslShutdownTimeout != 30.0)) {
            throw new IllegalArgumentException((sslHandshakeTimeout != 60.0 ? "sslHandshakeTimeout"
                    : "sslShutdownTimeout") + " is only meaningful with ssl");
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

    /** Builds {@link ConnectOptions}; every setter returns the builder. */
    public static final class Builder {
        private SSLContext ssl;
        private String serverHostname;
        private SocketAddress localAddress;
        private ProtocolFamily family;
        private double connectTimeout;
        private double happyEyeballsDelay;
        private int interleave;
        private double sslHandshakeTimeout;
        private double sslShutdownTimeout;
        private boolean noDelay;

        private Builder(ConnectOptions o) {
            ssl = o.ssl;
            serverHostname = o.serverHostname;
            localAddress = o.localAddress;
            family = o.family;
            connectTimeout = o.connectTimeout;
            happyEyeballsDelay = o.happyEyeballsDelay;
            interleave = o.interleave;
            sslHandshakeTimeout = o.sslHandshakeTimeout;
            sslShutdownTimeout = o.sslShutdownTimeout;
            noDelay = o.noDelay;
        }

        /**
         * Sets {@link ConnectOptions#ssl() ssl}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder ssl(SSLContext v) { ssl = v; return this; }
        /**
         * Sets {@link ConnectOptions#serverHostname() serverHostname}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder serverHostname(String v) { serverHostname = v; return this; }
        /**
         * Sets {@link ConnectOptions#localAddress() localAddress}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder localAddress(SocketAddress v) { localAddress = v; return this; }
        /**
         * Sets {@link ConnectOptions#family() family}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder family(ProtocolFamily v) { family = v; return this; }
        /**
         * Sets {@link ConnectOptions#connectTimeout() connectTimeout}, as documented there.
         *
         * @param seconds the new value
         * @return this builder
         */
        public Builder connectTimeout(double seconds) { connectTimeout = seconds; return this; }
        /**
         * Sets {@link ConnectOptions#happyEyeballsDelay() happyEyeballsDelay}, as documented there.
         *
         * @param seconds the new value
         * @return this builder
         */
        public Builder happyEyeballsDelay(double seconds) { happyEyeballsDelay = seconds; return this; }
        /**
         * Sets {@link ConnectOptions#interleave() interleave}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder interleave(int v) { interleave = v; return this; }
        /**
         * Sets {@link ConnectOptions#sslHandshakeTimeout() sslHandshakeTimeout}, as documented there.
         *
         * @param seconds the new value
         * @return this builder
         */
        public Builder sslHandshakeTimeout(double seconds) { sslHandshakeTimeout = seconds; return this; }
        /**
         * Sets {@link ConnectOptions#sslShutdownTimeout() sslShutdownTimeout}, as documented there.
         *
         * @param seconds the new value
         * @return this builder
         */
        public Builder sslShutdownTimeout(double seconds) { sslShutdownTimeout = seconds; return this; }
        /**
         * Sets {@link ConnectOptions#noDelay() noDelay}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder noDelay(boolean v) { noDelay = v; return this; }

        /** {@return the options, once checked} */
        public ConnectOptions build() {
            return new ConnectOptions(ssl, serverHostname, localAddress, family, connectTimeout,
                    happyEyeballsDelay, interleave, sslHandshakeTimeout, sslShutdownTimeout, noDelay);
        }
    }
}
