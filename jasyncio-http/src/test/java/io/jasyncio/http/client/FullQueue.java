package io.jasyncio.http.client;

import java.util.ArrayList;
import java.util.List;

/** A listener that never accepts, its queue filled: further connects hang (Linux drops their SYNs). */
final class FullQueue implements AutoCloseable {
    final java.nio.channels.ServerSocketChannel listener;
    final List<java.net.Socket> queued = new ArrayList<>();

    FullQueue() throws java.io.IOException {
        listener = java.nio.channels.ServerSocketChannel.open();
        listener.bind(new java.net.InetSocketAddress("127.0.0.1", 0), 1);
        for (int i = 0; i < 64; i++) {
            java.net.Socket s = new java.net.Socket();
            try {
                s.connect(listener.getLocalAddress(), 200);
                queued.add(s);
            } catch (java.net.SocketTimeoutException full) {
                s.close();
                return;
            }
        }
        close();
        throw new java.io.IOException("the listen queue never filled");
    }

    int port() throws java.io.IOException {
        return ((java.net.InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    @Override
    public void close() throws java.io.IOException {
        for (java.net.Socket s : queued) {
            s.close();
        }
        listener.close();
    }
}
