package io.jasyncio.internal.net;

import io.jasyncio.EventLoop;
import io.jasyncio.net.ConnectOptions;
import io.jasyncio.net.Endpoint;
import io.jasyncio.net.Server;
import io.jasyncio.net.ServerOptions;
import io.jasyncio.net.StreamProtocol;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** TCP and Unix-socket connections and servers. */
public final class Tcp {
    private Tcp() {}

    public static <P extends StreamProtocol> Endpoint<P> connect(EventLoop loop, Supplier<? extends P> factory,
            String host, int port, ConnectOptions o) throws IOException {
        throw new UnsupportedOperationException("landing");
    }

    public static <P extends StreamProtocol> Endpoint<P> wrapConnected(EventLoop loop, Supplier<? extends P> factory,
            SocketChannel ch, ConnectOptions o) throws IOException {
        throw new UnsupportedOperationException("landing");
    }

    public static <P extends StreamProtocol> Endpoint<P> connectUnix(EventLoop loop, Supplier<? extends P> factory,
            Path path, ConnectOptions o) throws IOException {
        throw new UnsupportedOperationException("landing");
    }

    public static Server listen(EventLoop loop, Supplier<? extends StreamProtocol> factory, String host, int port,
            ServerOptions o) throws IOException {
        throw new UnsupportedOperationException("landing");
    }

    public static Server listenUnix(EventLoop loop, Supplier<? extends StreamProtocol> factory, Path path,
            ServerOptions o) throws IOException {
        throw new UnsupportedOperationException("landing");
    }

    public static Server serve(EventLoop loop, Supplier<? extends StreamProtocol> factory,
            List<ServerSocketChannel> sockets, ServerOptions o) throws IOException {
        throw new UnsupportedOperationException("landing");
    }
}
