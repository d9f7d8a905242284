package io.jasyncio.internal.net;

import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionContext;
import io.jasyncio.internal.LoopAccess;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A loop's networking state: the one read buffer its transports share (only one callback of a
 * loop runs at a time, so one buffer serves every connection and an idle connection costs no read
 * buffer at all), and the transports and servers still open, reported and closed with the loop.
 */
final class NetState {
    /** Bytes a single read may return: asyncio's {@code max_size} for socket transports. */
    static final int READ_SIZE = 256 * 1024;

    final EventLoop loop;
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_SIZE);
    /** Open transports and servers; touched on the loop, and at close. */
    final Set<Resource> open = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Something the loop must not be closed with: a transport or a server. */
    interface Resource {
        /** Closes the underlying channel(s) at once, without calling back into protocols. */
        void forceRelease();

        /** Where it was created (debug mode), or null. */
        Throwable creationSite();
    }

    private NetState(EventLoop loop) {
        this.loop = loop;
        LoopAccess.ops().onClose(loop, this::closeAll);
    }

    static NetState of(EventLoop loop) {
        return LoopAccess.ops().service(loop, NetState.class, () -> new NetState(loop));
    }

    private void closeAll() {
        Resource[] left;
        synchronized (open) {
            left = open.toArray(new Resource[0]);
            open.clear();
        }
        for (Resource r : left) {
            ExceptionContext.Builder b = ExceptionContext.builder("unclosed " + r);
            Throwable site = r.creationSite();
            if (site != null) {
                b.extra("created at", LoopAccess.ops().siteText(site));
            }
            loop.callExceptionHandler(b.build());
            r.forceRelease();
        }
    }

    void add(Resource r) {
        synchronized (open) {
            open.add(r);
        }
    }

    void remove(Resource r) {
        synchronized (open) {
            open.remove(r);
        }
    }
}
