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
        loadConnectionClasses();
    }

    private static volatile boolean connectionClassesLoaded;

    /**
     * Loads, once, the classes every new connection needs, with their nested and anonymous ones,
     * now that the program starts networking. A server is flooded when file descriptors run out:
     * a class first needed then cannot be read from its file, and the JVM records the failed
     * resolution in the code that named it, so that code fails with {@link NoClassDefFoundError}
     * for good, and the server never accepts again (LoopRobustnessTest found SocketTransport so).
     */
    private static void loadConnectionClasses() {
        if (connectionClassesLoaded) {
            return;
        }
        connectionClassesLoaded = true;
        Class<?>[] roots = {
                SocketTransport.class, ServerImpl.class, Tcp.class, Tls.class, SslLayer.class, Udp.class,
                io.jasyncio.streams.Streams.class, io.jasyncio.streams.StreamReaderProtocol.class,
                io.jasyncio.streams.FlowControl.class, io.jasyncio.streams.StreamReader.class,
                io.jasyncio.streams.StreamWriter.class, io.jasyncio.streams.StreamConnection.class,
                io.jasyncio.streams.IncompleteReadException.class, io.jasyncio.streams.LimitOverrunException.class,
                io.jasyncio.streams.WriteBufferFullException.class,
        };
        for (Class<?> c : roots) {
            try {
                loadNested(c);
            } catch (Throwable e) {
                // Best effort: a class that cannot load now is reported where it is used.
            }
        }
    }

    /** Loads the member classes of {@code c} and its anonymous ones ({@code C$1}, {@code C$2}...). */
    private static void loadNested(Class<?> c) {
        for (Class<?> n : c.getDeclaredClasses()) {
            loadNested(n);
        }
        for (int i = 1; ; i++) {
            try {
                Class.forName(c.getName() + "$" + i, false, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                return;
            }
        }
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
