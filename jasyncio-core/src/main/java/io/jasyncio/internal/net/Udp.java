package io.jasyncio.internal.net;

import io.jasyncio.EventLoop;
import io.jasyncio.net.DatagramEndpoint;
import io.jasyncio.net.DatagramOptions;
import io.jasyncio.net.DatagramProtocol;
import java.io.IOException;
import java.util.function.Supplier;

/** UDP endpoints: {@link EventLoop#createDatagramEndpoint}. */
public final class Udp {
    private Udp() {}

    public static <P extends DatagramProtocol> DatagramEndpoint<P> open(EventLoop loop, Supplier<? extends P> factory,
            DatagramOptions options) throws IOException {
        throw new UnsupportedOperationException("UDP lands with issue 5");
    }
}
