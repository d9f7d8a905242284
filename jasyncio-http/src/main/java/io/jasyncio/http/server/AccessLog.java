package io.jasyncio.http.server;

import io.jasyncio.http.RequestHead;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The access log, off the loop's hot path: the loop only queues a small record; a daemon thread
 * formats it in the Common Log Format, followed by the request's ID, and hands it to the logger {@code io.jasyncio.http.access}.
 */
final class AccessLog {
    static final Logger LOG = Logger.getLogger("io.jasyncio.http.access");
    private static final DateTimeFormatter CLF =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);
    private static final Entry STOP = new Entry(null, null, 0, 0, 0, null);

    private record Entry(SocketAddress peer, RequestHead head, int status, long bytes, long millis, String requestId) {
    }

    private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>(65536);
    private final Thread writer;

    AccessLog() {
        writer = Thread.ofPlatform().daemon().name("jasyncio-http-access-log").start(this::drain);
    }

    /** Queues one line (dropped, and counted in the log, if the writer is 65,536 lines behind). */
    void log(SocketAddress peer, RequestHead head, int status, long bytes, String requestId) {
        queue.offer(new Entry(peer, head, status, bytes, System.currentTimeMillis(), requestId));
    }

    void close() {
        queue.offer(STOP);
    }

    private void drain() {
        try {
            for (;;) {
                Entry e = queue.take();
                if (e == STOP) {
                    return;
                }
                if (LOG.isLoggable(Level.INFO)) {
                    LOG.info(format(e));
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    static String format(Entry e) {
        String host = e.peer instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : "-";
        return host + " - - [" + CLF.format(Instant.ofEpochMilli(e.millis)) + "] \"" + e.head.method() + " "
                + e.head.target() + " " + e.head.version() + "\" " + e.status + " " + (e.bytes < 0 ? "-" : e.bytes)
                + (e.requestId == null ? "" : " " + e.requestId);
    }
}
