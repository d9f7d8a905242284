package io.jasyncio.subprocess;

import io.jasyncio.net.BaseTransport;

/**
 * A running (or finished) child process and its pipes (asyncio's {@code SubprocessTransport}).
 * Call on its loop only, like every transport.
 *
 * <p>{@link #close()} closes the pipes and kills the child if it still runs (SIGKILL), as asyncio
 * does; the protocol's {@code connectionLost} follows once the child has exited and the pipes are
 * closed.
 */
public interface SubprocessTransport extends BaseTransport {
    /**
     * The child's process id.
     *
     * @return the pid
     */
    long getPid();

    /**
     * How the child ended, or null while it runs. A child killed by a signal this transport sent
     * ({@link #terminate}, {@link #kill}, {@link #sendSignal}) gives {@code -signum} (as asyncio);
     * otherwise the exit status Java reports, which is {@code 128 + signum} for a signal sent by
     * someone else (Java cannot tell that apart from {@code exit(128 + signum)}).
     *
     * @return the return code, or null
     */
    Integer getReturncode();

    /**
     * The transport of one of the child's pipes: a {@link io.jasyncio.net.WriteTransport} for
     * fd 0 (stdin), a {@link io.jasyncio.net.ReadTransport} for fds 1 and 2 (stdout, stderr).
     *
     * @param fd 0, 1 or 2
     * @return the pipe's transport, or null if that stream is not a pipe
     */
    BaseTransport getPipeTransport(int fd);

    /**
     * The protocol the factory made.
     *
     * @return the protocol
     */
    SubprocessProtocol getProtocol();

    /**
     * Sends the signal named {@code name} to the child ({@code "TERM"}, {@code "SIGUSR1"},
     * {@code "HUP"}; case and the {@code SIG} prefix do not matter). TERM and KILL go through
     * {@link ProcessHandle#destroy()} and {@link ProcessHandle#destroyForcibly()}; the others
     * through the {@code kill -s NAME PID} command, which blocks the loop for the few
     * milliseconds it takes to run (Java has no call for arbitrary signals). Does nothing once
     * the child has exited. A child starts ignoring the signals this JVM ignores, as under
     * asyncio; the JVM keeps SIGINT, SIGTERM and SIGHUP ignored if it was started so (a
     * background job of a script ignores SIGINT, {@code nohup} SIGHUP), and such a signal then
     * does not end the child.
     *
     * @param name the signal's name
     * @throws IllegalArgumentException if the name is not a signal name
     * @throws java.io.UncheckedIOException if the {@code kill} command fails
     */
    void sendSignal(String name);

    /**
     * Sends the signal with number {@code signum} (see {@link #sendSignal(String)}; numbers other
     * than 9 and 15 go through {@code kill -signum PID}).
     *
     * @param signum the signal number, 1 or more
     */
    void sendSignal(int signum);

    /** Asks the child to stop: SIGTERM. Does nothing once it has exited. */
    void terminate();

    /** Kills the child: SIGKILL. Does nothing once it has exited. */
    void kill();
}
