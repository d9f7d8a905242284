package io.jasyncio.http.client;

/**
 * The time limits of a request, in seconds on the loop's clock ({@link Double#POSITIVE_INFINITY}
 * for none): aiohttp's {@code ClientTimeout}, plus a separate pool-acquire limit. Each limit that
 * expires raises its own {@link ClientTimeoutException} subclass naming the limit and the URL.
 *
 * <ul>
 *   <li>{@code total}: from the call until the response's body has arrived in full, redirects
 *       included ({@link TotalTimeoutException}).
 *   <li>{@code connect}: opening one new connection (name resolution, TCP connect, TLS
 *       handshake). Unlike aiohttp's, it does <em>not</em> include time spent waiting for a pooled
 *       connection or a free slot (aiohttp issues 2648 and 10313): that is {@code poolAcquire}
 *       ({@link ConnectTimeoutException}).
 *   <li>{@code sockConnect}: the TCP connect of a new connection, without the TLS handshake
 *       ({@link SocketConnectTimeoutException}).
 *   <li>{@code sockRead}: the longest silence while a response is awaited or read: the time
 *       between two reads of the socket ({@link SocketReadTimeoutException}).
 *   <li>{@code poolAcquire}: waiting for a pooled connection or for a slot under the session's
 *       limits ({@link PoolAcquireTimeoutException}).
 * </ul>
 *
 * @param total seconds for the whole request
 * @param connect seconds to open a new connection (TCP and TLS), pool wait excluded
 * @param sockConnect seconds for the TCP connect alone
 * @param sockRead seconds of silence allowed while a response is read
 * @param poolAcquire seconds to wait for a connection of the pool or a free slot
 */
public record ClientTimeout(double total, double connect, double sockConnect, double sockRead, double poolAcquire) {
    /** No limit at all. */
    public static final ClientTimeout NONE = new ClientTimeout(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    /** aiohttp's defaults: 300 s in total, 30 s for the TCP connect, the others unlimited. */
    public static final ClientTimeout DEFAULT = NONE.withTotal(300).withSockConnect(30);

    /** Which limit fired. */
    public enum Kind {
        /** {@link ClientTimeout#total()}. */
        TOTAL("total"),
        /** {@link ClientTimeout#connect()}. */
        CONNECT("connect"),
        /** {@link ClientTimeout#sockConnect()}. */
        SOCKET_CONNECT("socket-connect"),
        /** {@link ClientTimeout#sockRead()}. */
        SOCKET_READ("socket-read"),
        /** {@link ClientTimeout#poolAcquire()}. */
        POOL_ACQUIRE("pool-acquire");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The limit's name in messages ({@code "socket-read"}...). */
        public String label() {
            return label;
        }
    }

    /** Checks that every limit is positive (infinite for none). */
    public ClientTimeout {
        check(total, "total");
        check(connect, "connect");
        check(sockConnect, "sockConnect");
        check(sockRead, "sockRead");
        check(poolAcquire, "poolAcquire");
    }

    private static void check(double v, String name) {
        if (!(v > 0)) {
            throw new IllegalArgumentException(name + " timeout must be positive (infinite for none): " + v);
        }
    }

    /** These limits with another {@code total}. */
    public ClientTimeout withTotal(double seconds) {
        return new ClientTimeout(seconds, connect, sockConnect, sockRead, poolAcquire);
    }

    /** These limits with another {@code connect}. */
    public ClientTimeout withConnect(double seconds) {
        return new ClientTimeout(total, seconds, sockConnect, sockRead, poolAcquire);
    }

    /** These limits with another {@code sockConnect}. */
    public ClientTimeout withSockConnect(double seconds) {
        return new ClientTimeout(total, connect, seconds, sockRead, poolAcquire);
    }

    /** These limits with another {@code sockRead}. */
    public ClientTimeout withSockRead(double seconds) {
        return new ClientTimeout(total, connect, sockConnect, seconds, poolAcquire);
    }

    /** These limits with another {@code poolAcquire}. */
    public ClientTimeout withPoolAcquire(double seconds) {
        return new ClientTimeout(total, connect, sockConnect, sockRead, seconds);
    }

    /** The limit of one kind. */
    public double of(Kind kind) {
        return switch (kind) {
            case TOTAL -> total;
            case CONNECT -> connect;
            case SOCKET_CONNECT -> sockConnect;
            case SOCKET_READ -> sockRead;
            case POOL_ACQUIRE -> poolAcquire;
        };
    }
}
