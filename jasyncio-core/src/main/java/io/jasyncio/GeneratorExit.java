package io.jasyncio;

import java.io.Serial;

/**
 * Thrown at an {@link AsyncGenerator}'s {@code emit} when the generator is closed early with
 * {@link AsyncGenerator#aclose()}: Python's {@code GeneratorExit}. It unwinds the producer so its
 * finally blocks run; the producer may catch it to tell a close from a cancellation, but must not
 * emit again. Like {@link CancelledError} it is an {@link Error}, so {@code catch (Exception e)}
 * does not swallow it.
 */
public final class GeneratorExit extends Error {
    @Serial
    private static final long serialVersionUID = 1L;

    GeneratorExit() {
        super("the async generator was closed", null, false, false);
    }
}
