package io.jasyncio;

import java.io.Serial;

/**
 * An operation is not allowed in the object's current state: the result of a future that is not
 * done, a second completion of a future, a timeout scope entered twice. Mirrors asyncio's
 * {@code InvalidStateError}. Whatever was asked is not done: the object is left as it was.
 */
public class InvalidStateException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * An operation refused because of the object's state.
     *
     * @param message what was attempted, and in which state
     */
    public InvalidStateException(String message) {
        super(message);
    }
}
