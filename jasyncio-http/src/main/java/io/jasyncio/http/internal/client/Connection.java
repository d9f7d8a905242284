package io.jasyncio.http.internal.client;

import io.jasyncio.http.internal.h1.H1Options;
import io.jasyncio.http.internal.h1.H1Parser;
import io.jasyncio.net.BufferedProtocol;
import io.jasyncio.net.Transport;
import java.nio.ByteBuffer;

/**
 * One HTTP/1.1 connection of the pool: the protocol of its transport. It reads into the pool's
 * shared buffer (so an idle connection holds no read buffer) and hands every byte to the
 * {@link Exchange} using it, which parses it at once; while idle, any byte from the server (a
 * late 408, garbage) makes the connection unusable and it is closed.
 */
final class Connection implements BufferedProtocol {
    final Pool pool;
    final Pool.Host host;
    final H1Parser parser = H1Parser.forResponses(H1Options.DEFAULT);
    Transport transport;
    /** The exchange using the connection, or null while idle or once given up. */
    Exchange exchange;
    /** Whether the connection still holds one of the pool's slots (released once). */
    boolean holdsSlot;
    boolean closed;
    boolean writePaused;
    /** Responses completed on this connection. */
    int served;
    double idleSince;

    Connection(Pool pool, Pool.Host host) {
        this.pool = pool;
        this.host = host;
    }

    /** Whether it can carry a request: open, and not closing. */
    boolean usable() {
        return !closed && transport != null && !transport.isClosing();
    }

    /** Closes the connection at once (a reset); buffered output is dropped. */
    void abort() {
        closed = true;
        Transport t = transport;
        if (t != null) {
            t.abort();
        }
    }

    @Override
    public void connectionMade(Transport t) {
        transport = t;
    }

    @Override
    public ByteBuffer getBuffer(int sizeHint) {
        return pool.readBuffer.clear();
    }

    @Override
    public void bufferUpdated(int nbytes) {
        ByteBuffer b = pool.readBuffer;
        b.flip();
        Exchange e = exchange;
        if (e == null) {
            abort();  // bytes nobody asked for: the connection can no longer be trusted
            return;
        }
        e.onData(b);
    }

    @Override
    public boolean eofReceived() {
        return false;
    }

    @Override
    public void connectionLost(Exception exc) {
        closed = true;
        writePaused = false;
        Exchange e = exchange;
        if (e != null) {
            e.onLost(exc);
        } else {
            pool.lost(this);
        }
    }

    @Override
    public void pauseWriting() {
        writePaused = true;
    }

    @Override
    public void resumeWriting() {
        writePaused = false;
        Exchange e = exchange;
        if (e != null) {
            e.wake();
        }
    }

    @Override
    public String toString() {
        return "Connection[" + host.key + (closed ? ", closed" : "") + ", served " + served + "]";
    }
}
