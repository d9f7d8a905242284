package io.jasyncio.subprocess;

import io.jasyncio.EventLoop;
import io.jasyncio.internal.subprocess.ProcessTransport;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Starting child processes, as asyncio's {@code loop.subprocess_exec} and
 * {@code loop.subprocess_shell} (the framework layer: a transport and a protocol).
 */
public final class Subprocess {
    private Subprocess() {}

    /** The shell that the {@code Shell} forms run the command with: {@code /bin/sh -c COMMAND}. */
    public static final List<String> SHELL = List.of("/bin/sh", "-c");

    /**
     * Starts the program {@code args.get(0)} with the arguments that follow (no shell is
     * involved) and connects its pipes to a protocol from {@code protocolFactory}. Mirrors
     * {@code loop.subprocess_exec}. The protocol's {@code connectionMade} has run when this
     * returns. Starting the process happens on the loop, as in asyncio (a millisecond or so).
     *
     * <p>While the child runs, each of its pipes has a thread doing the blocking I/O (Java's pipes
     * are not selectable), and the loop counts the child as work on another thread: a loop on
     * virtual time does not jump ahead while output may still arrive.
     *
     * @param loop the loop; the caller must be on it (in a task or a callback)
     * @param protocolFactory makes the protocol
     * @param args the program and its arguments
     * @param options the redirections, working directory and environment
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if the program cannot be started (not found, not executable, bad cwd)
     * @throws IllegalStateException if the caller is not on the loop, or the loop is closed
     */
    public static <P extends SubprocessProtocol> SubprocessEndpoint<P> subprocessExec(EventLoop loop,
            Supplier<? extends P> protocolFactory, List<String> args, SubprocessOptions options) throws IOException {
        return ProcessTransport.spawn(loop, protocolFactory, args, options);
    }

    /**
     * Runs {@code command} with {@code /bin/sh -c}; otherwise as
     * {@link #subprocessExec(EventLoop, Supplier, List, SubprocessOptions)}. Mirrors
     * {@code loop.subprocess_shell}. Quoting the command is the caller's business.
     *
     * @param loop the loop; the caller must be on it
     * @param protocolFactory makes the protocol
     * @param command the shell command line
     * @param options the redirections, working directory and environment
     * @param <P> the protocol's type
     * @return the transport and the protocol
     * @throws IOException if the shell cannot be started
     */
    public static <P extends SubprocessProtocol> SubprocessEndpoint<P> subprocessShell(EventLoop loop,
            Supplier<? extends P> protocolFactory, String command, SubprocessOptions options) throws IOException {
        Objects.requireNonNull(command, "command");
        return ProcessTransport.spawn(loop, protocolFactory, shell(command), options);
    }

    static List<String> shell(String command) {
        return List.of(SHELL.get(0), SHELL.get(1), command);
    }
}
