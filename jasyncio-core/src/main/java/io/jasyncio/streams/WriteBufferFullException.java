package io.jasyncio.streams;

/**
 * A write was refused because it would have pushed the transport's write buffer above the
 * writer's hard bound ({@link StreamWriter#setHardLimit}). Nothing of that write was sent or
 * buffered: the caller still holds all of it and may retry after {@link StreamWriter#drain()}.
 * Unchecked, like the queues' {@code QueueFullException}: it signals a producer outrunning its
 * consumer, which code that drains never meets.
 */
public final class WriteBufferFullException extends IllegalStateException {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /** Bytes buffered when the write was refused. */
    private final int buffered;
    /** Bytes the refused write held. */
    private final long attempted;
    /** The writer's hard bound. */
    private final int hardLimit;

    /**
     * A write refused because the buffer already holds the hard limit or more.
     *
     * @param buffered bytes in the transport's buffer at the time
     * @param attempted bytes the refused write held
     * @param hardLimit the writer's bound
     */
    public WriteBufferFullException(int buffered, long attempted, int hardLimit) {
        super("write of " + attempted + " bytes refused: " + buffered + " bytes are already buffered and the "
                + "writer's hard limit is " + hardLimit + " (call drain() between writes)");
        this.buffered = buffered;
        this.attempted = attempted;
        this.hardLimit = hardLimit;
    }

    /** {@return the bytes in the transport's write buffer when the write was refused} */
    public int buffered() {
        return buffered;
    }

    /** {@return the bytes the refused write held (for {@code writelines}, all of them)} */
    public long attempted() {
        return attempted;
    }

    /** {@return the writer's hard bound, in bytes} */
    public int hardLimit() {
        return hardLimit;
    }
}
