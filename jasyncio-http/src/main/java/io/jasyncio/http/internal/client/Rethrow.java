package io.jasyncio.http.internal.client;

/** Rethrows any throwable without wrapping it. */
final class Rethrow {
    private Rethrow() {
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
