package io.jasyncio;

/** Rethrows any throwable unchanged, checked or not (see {@link AsyncFuture} on exceptions). */
final class Sneaky {
    private Sneaky() {
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> E rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
