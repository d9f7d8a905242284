package io.jasyncio.internal;

/**
 * What a failure of user code means for the loop that ran it, decided in one place for the loop
 * and for the transports.
 */
public final class Failures {
    private Failures() {
    }

    /**
     * Whether the loop cannot go on after {@code e}: a {@link VirtualMachineError} other than
     * {@link StackOverflowError} (out of memory, an internal error of the JVM). Everything else,
     * {@link Error}s included, unwinds only the code that threw it: a stack overflow, a class that
     * fails to load ({@link LinkageError}, as when file descriptors run out), a failed assertion, a
     * {@code CancelledError}; the loop reports it and goes on.
     *
     * @param e what user code threw
     * @return true if the loop must stop
     */
    public static boolean isFatal(Throwable e) {
        return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
    }
}
