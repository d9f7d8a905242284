package io.jasyncio.examples.mq;

import java.io.IOException;

/**
 * A peer broke the {@code mq} protocol: an oversized length prefix, a stream that ends inside a
 * frame, an empty or non-UTF-8 channel name. The broker logs the message and closes the
 * connection.
 */
public final class MqProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean refused;

    /**
     * @param message what was wrong
     */
    public MqProtocolException(String message) {
        this(message, false);
    }

    /**
     * @param message what was wrong
     * @param refused true if the peer sent something the broker refuses (garbage, an oversized
     *     frame), false if the stream merely ended too early
     */
    public MqProtocolException(String message, boolean refused) {
        super(message);
        this.refused = refused;
    }

    /** True if the peer sent something refused, false if its stream ended inside a frame. */
    public boolean refused() {
        return refused;
    }
}
