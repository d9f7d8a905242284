package io.jasyncio.subprocess;

import io.jasyncio.EventLoop;
import io.jasyncio.internal.subprocess.ProcessTransport;
import io.jasyncio.internal.subprocess.SubprocessStreamProtocol;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Starting child processes: {@link #createSubprocessExec} and {@link #createSubprocessShell}
 * give an {@link AsyncProcess} whose pipes are streams (asyncio's
 * {@code asyncio.create_subprocess_exec} and {@code create_subprocess_shell}, the application
 * layer); {@link #subprocessExec} and {@link #subprocessShell} give a transport and a protocol
 * (asyncio's {@code loop.subprocess_exec} and {@code loop.subprocess_shell}, the framework layer).
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

    // ------------------------------------------------------------------ the application layer

    /**
     * Starts a program with the {@linkplain SubprocessOptions#DEFAULTS defaults}: no shell, and
     * stdin, stdout and stderr inherited from this process, as asyncio's defaults. Mirrors
     * {@code asyncio.create_subprocess_exec(program, *args)}; for pipes use
     * {@link #createSubprocessExec(List, SubprocessOptions)}.
     *
     * @param args the program and its arguments
     * @return the process
     * @throws IOException if the program cannot be started
     * @throws IllegalStateException if not called on a running loop
     */
    public static AsyncProcess createSubprocessExec(String... args) throws IOException {
        return createSubprocessExec(List.of(args), SubprocessOptions.DEFAULTS);
    }

    /**
     * Starts the program {@code args.get(0)} with the arguments that follow (no shell is
     * involved); the pipes that {@code options} asks for become the process's streams. Mirrors
     * {@code asyncio.create_subprocess_exec}. Starting happens on the loop, as in asyncio (a
     * millisecond or so); it does not wait otherwise.
     *
     * <pre>{@code
     * AsyncProcess p = Subprocess.createSubprocessExec(List.of("sort"), SubprocessOptions.PIPES);
     * CommunicateResult r = p.communicate("b\na\n".getBytes());
     * }</pre>
     *
     * @param args the program and its arguments
     * @param options pipes, working directory, environment, the readers' limit
     * @return the process
     * @throws IOException if the program cannot be started (not found, not executable, bad cwd)
     * @throws IllegalStateException if not called on a running loop
     */
    public static AsyncProcess createSubprocessExec(List<String> args, SubprocessOptions options) throws IOException {
        return start(args, options);
    }

    /**
     * Runs a shell command line ({@code /bin/sh -c command}) with the defaults (everything
     * inherited). Mirrors {@code asyncio.create_subprocess_shell(cmd)}.
     *
     * @param command the command line; quoting is the caller's business
     * @return the process (the shell's)
     * @throws IOException if the shell cannot be started
     */
    public static AsyncProcess createSubprocessShell(String command) throws IOException {
        return createSubprocessShell(command, SubprocessOptions.DEFAULTS);
    }

    /**
     * Runs a shell command line ({@code /bin/sh -c command}); otherwise as
     * {@link #createSubprocessExec(List, SubprocessOptions)}. Mirrors
     * {@code asyncio.create_subprocess_shell}. The process is the shell's: signals go to the
     * shell, which may or may not pass them on.
     *
     * @param command the command line; quoting is the caller's business
     * @param options pipes, working directory, environment, the readers' limit
     * @return the process
     * @throws IOException if the shell cannot be started
     */
    public static AsyncProcess createSubprocessShell(String command, SubprocessOptions options) throws IOException {
        Objects.requireNonNull(command, "command");
        return start(shell(command), options);
    }

    private static AsyncProcess start(List<String> args, SubprocessOptions options) throws IOException {
        EventLoop loop = EventLoop.getRunningLoop();
        int limit = options.limit();
        SubprocessEndpoint<SubprocessStreamProtocol> e =
                ProcessTransport.spawn(loop, () -> new SubprocessStreamProtocol(limit), args, options);
        return new AsyncProcess(loop, (ProcessTransport) e.transport(), e.protocol());
    }

    static List<String> shell(String command) {
        return List.of(SHELL.get(0), SHELL.get(1), command);
    }
}
