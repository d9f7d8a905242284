package io.jasyncio.net;

/**
 * What every transport can do: close, and tell about itself (asyncio's {@code BaseTransport}).
 * Call on the transport's loop only.
 */
public interface BaseTransport {
    /**
     * Closes the transport. Buffered outgoing data is still sent, then the protocol's
     * {@link BaseProtocol#connectionLost} is called with {@code null}. No more data is received.
     * Idempotent.
     */
    void close();

    /** {@return true once the transport is closing or closed} */
    boolean isClosing();

    /**
     * Information about the transport or its socket, by name (see {@link ExtraInfo} for the
     * names), or {@code null} if this transport has no such information.
     *
     * @param name one of the {@link ExtraInfo} keys
     * @return the value, or null
     */
    Object getExtraInfo(String name);

    /**
     * Like {@link #getExtraInfo(String)}, typed; the default when absent.
     *
     * @param name the key
     * @param type the value's expected type
     * @param defaultValue returned when the transport has no such information
     * @param <T> the value's type
     * @return the value, or {@code defaultValue}
     */
    default <T> T getExtraInfo(String name, Class<T> type, T defaultValue) {
        Object v = getExtraInfo(name);
        return v == null ? defaultValue : type.cast(v);
    }
}
