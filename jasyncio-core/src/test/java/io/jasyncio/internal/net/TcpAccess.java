package io.jasyncio.internal.net;

import io.jasyncio.EventLoop;
import io.jasyncio.net.ConnectOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;

/** Opens Tcp's package-private connect steps to the tests in io.jasyncio.net. */
public final class TcpAccess {
    private TcpAccess() {}

    public static SocketChannel connectAny(EventLoop loop, List<InetSocketAddress> addrs, ConnectOptions o)
            throws IOException {
        return Tcp.connectAny(loop, addrs, o);
    }

    public static List<InetSocketAddress> interleave(List<InetSocketAddress> addrs, int first) {
        return Tcp.interleave(addrs, first);
    }
}
