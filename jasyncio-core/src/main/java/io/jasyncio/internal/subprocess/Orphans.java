package io.jasyncio.internal.subprocess;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills children whose loop closed while they ran. asyncio does this when the forgotten transport
 * is collected; here the transport stays reachable from its pipe threads, so a watcher looks
 * instead: one daemon thread, alive only while some child is, checks every
 * {@value #PERIOD_MILLIS} ms. (The JDK reaps every child by itself, so none is left a zombie.)
 */
final class Orphans {
    private Orphans() {}

    static final long PERIOD_MILLIS = 200;

    private static final Set<ProcessTransport> LIVE = ConcurrentHashMap.newKeySet();
    private static Thread watcher;

    static void add(ProcessTransport t) {
        LIVE.add(t);
        synchronized (Orphans.class) {
            if (watcher == null) {
                watcher = Thread.ofPlatform().daemon(true).name("jasyncio-subprocess-orphans")
                        .stackSize(128 * 1024).start(Orphans::watch);
            }
        }
    }

    static void remove(ProcessTransport t) {
        LIVE.remove(t);
    }

    private static void watch() {
        while (true) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                // Daemon: keep watching.
            }
            for (ProcessTransport t : LIVE) {
                if (t.loop().isClosed()) {
                    LIVE.remove(t);
                    t.killOrphan();
                }
            }
            synchronized (Orphans.class) {
                if (LIVE.isEmpty()) {
                    watcher = null;
                    return;
                }
            }
        }
    }
}
