package io.jasyncio;

/**
 * Thrown by {@link Runner#run} and {@link Asyncio#run} when a SIGINT (Ctrl-C) cancelled the main
 * task and the task, having unwound (task groups cancelled their children, {@code finally} blocks
 * ran), ended cancelled. Mirrors Python's {@code KeyboardInterrupt} as asyncio 3.11's
 * {@code Runner} raises it; its cause is the main task's {@link CancelledError}.
 *
 * <p>Where Java differs: Python raises {@code KeyboardInterrupt} wherever the main thread happens
 * to be; here only the runner throws it, after the loop has stopped, so it is an ordinary
 * unchecked exception rather than an {@link Error}. If it escapes {@code main}, the JVM prints it
 * and exits with status 1; a program that wants the status a shell expects after Ctrl-C
 * (130, which CPython gives) catches it:
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     try {
 *         Asyncio.run(() -> serve());
 *     } catch (KeyboardInterruptException e) {
 *         System.exit(e.exitStatus());      // 130
 *     }
 * }
 * }</pre>
 */
public final class KeyboardInterruptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** SIGINT's number on every POSIX system. */
    private static final int SIGINT = 2;

    /**
     * An interrupt whose cause is the main task's cancellation.
     *
     * @param cause the main task's {@link CancelledError}, or null
     */
    public KeyboardInterruptException(Throwable cause) {
        super("interrupted by SIGINT: the main task was cancelled and has unwound", cause);
    }

    /**
     * The exit status of a process ended by SIGINT, as shells report it: 128 + 2.
     *
     * @return 130
     */
    public int exitStatus() {
        return 128 + SIGINT;
    }
}
