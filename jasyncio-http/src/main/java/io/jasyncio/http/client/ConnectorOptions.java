package io.jasyncio.http.client;

import java.net.SocketAddress;
import javax.net.ssl.SSLContext;

/**
 * How a session's connection pool connects and how many connections it keeps: aiohttp's
 * {@code TCPConnector} arguments, as an immutable value.
 *
 * @param limit the most connections open at once, all hosts together (aiohttp's {@code limit},
 *     100 by default); a request beyond it waits for one to be released (the pool-acquire wait)
 * @param limitPerHost the most connections to one scheme, host and port; 0 for no limit other
 *     than {@code limit}
 * @param keepAliveTimeout seconds an idle connection is kept in the pool before it is closed (15,
 *     as aiohttp)
 * @param ssl the TLS context for {@code https}; null for the JDK's default trust
 *     ({@link io.jasyncio.net.TlsContexts#client()}); give one from
 *     {@link io.jasyncio.net.TlsContexts#clientTrusting} for a private CA
 * @param verifyHostname whether TLS checks that the certificate names the host (true by default;
 *     false keeps the chain check and drops only the name check and SNI)
 * @param happyEyeballsDelay seconds before the next address is tried in parallel (RFC 8305), NaN
 *     for one after another
 * @param localAddress bind new connections to this address; null for any
 */
public record ConnectorOptions(int limit, int limitPerHost, double keepAliveTimeout, SSLContext ssl,
        boolean verifyHostname, double happyEyeballsDelay, SocketAddress localAddress) {
    /** 100 connections, no per-host limit, 15 s idle, default trust with hostname checks, 0.25 s happy eyeballs. */
    public static final ConnectorOptions DEFAULTS = new ConnectorOptions(100, 0, 15, null, true, 0.25, null);

    /** Checks the values. */
    public ConnectorOptions {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        if (limitPerHost < 0) {
            throw new IllegalArgumentException("limitPerHost must not be negative (0 for none): " + limitPerHost);
        }
        if (!(keepAliveTimeout >= 0)) {
            throw new IllegalArgumentException("keepAliveTimeout must not be negative: " + keepAliveTimeout);
        }
    }

    /** A builder starting from {@link #DEFAULTS}. */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link ConnectorOptions}; every setter returns the builder. */
    public static final class Builder {
        private int limit;
        private int limitPerHost;
        private double keepAliveTimeout;
        private SSLContext ssl;
        private boolean verifyHostname;
        private double happyEyeballsDelay;
        private SocketAddress localAddress;

        private Builder(ConnectorOptions o) {
            limit = o.limit;
            limitPerHost = o.limitPerHost;
            keepAliveTimeout = o.keepAliveTimeout;
            ssl = o.ssl;
            verifyHostname = o.verifyHostname;
            happyEyeballsDelay = o.happyEyeballsDelay;
            localAddress = o.localAddress;
        }

        /** @see ConnectorOptions#limit() */
        public Builder limit(int v) { limit = v; return this; }
        /** @see ConnectorOptions#limitPerHost() */
        public Builder limitPerHost(int v) { limitPerHost = v; return this; }
        /** @see ConnectorOptions#keepAliveTimeout() */
        public Builder keepAliveTimeout(double seconds) { keepAliveTimeout = seconds; return this; }
        /** @see ConnectorOptions#ssl() */
        public Builder ssl(SSLContext v) { ssl = v; return this; }
        /** @see ConnectorOptions#verifyHostname() */
        public Builder verifyHostname(boolean v) { verifyHostname = v; return this; }
        /** @see ConnectorOptions#happyEyeballsDelay() */
        public Builder happyEyeballsDelay(double seconds) { happyEyeballsDelay = seconds; return this; }
        /** @see ConnectorOptions#localAddress() */
        public Builder localAddress(SocketAddress v) { localAddress = v; return this; }

        /** The options; checks them. */
        public ConnectorOptions build() {
            return new ConnectorOptions(limit, limitPerHost, keepAliveTimeout, ssl, verifyHostname,
                    happyEyeballsDelay, localAddress);
        }
    }
}
