package io.jasyncio.http;

/**
 * A message was refused because it breaks HTTP/1.1's syntax or framing rules, or a limit.
 * {@link #status()} is the status a server should answer before closing the connection (400,
 * 413, 414, 431 or 505); {@link #code()} names the rule, for logs and metrics; the message says
 * what was wrong, without echoing the peer's bytes at length. After this exception the
 * connection's byte stream cannot be trusted: close it (after the answer, for a server).
 *
 * <p>It carries no stack trace: it reports the peer's input, not a bug, and a flood of bad
 * requests should not cost a stack walk each.
 */
public final class HttpParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final long offset;

    /**
     * Creates the refusal.
     *
     * @param status the status a server should answer
     * @param code   the name of the broken rule, e.g. {@code DUPLICATE_CONTENT_LENGTH}
     * @param message what was wrong
     * @param offset the offset in the connection's byte stream where the problem was found
     */
    public HttpParseException(int status, String code, String message, long offset) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.offset = offset;
    }

    /** The status a server should answer: 400, 413, 414, 431 or 505. */
    public int status() {
        return status;
    }

    /** The name of the broken rule or limit, e.g. {@code BARE_CR} or {@code HEADER_LINE_TOO_LONG}. */
    public String code() {
        return code;
    }

    /** The offset in the connection's byte stream (from its first byte) where the problem was found. */
    public long offset() {
        return offset;
    }
}
