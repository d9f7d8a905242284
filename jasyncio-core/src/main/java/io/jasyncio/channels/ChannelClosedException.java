package io.jasyncio.channels;

import java.io.Serial;

/**
 * A send on a closed channel, or a receive on a channel that is closed and drained. For receivers
 * this is the normal end of the stream; a for-each loop over the channel ends instead of throwing.
 */
public class ChannelClosedException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * The channel is closed.
     *
     * @param message what happened
     */
    public ChannelClosedException(String message) {
        super(message);
    }
}
