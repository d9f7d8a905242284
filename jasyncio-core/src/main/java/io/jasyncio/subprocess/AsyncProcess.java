package io.jasyncio.subprocess;

import io.jasyncio.EventLoop;
import io.jasyncio.ExceptionGroup;
import io.jasyncio.TaskGroup;
import io.jasyncio.internal.subprocess.ProcessTransport;
import io.jasyncio.internal.subprocess.SubprocessStreamProtocol;
import io.jasyncio.net.BaseTransport;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * A child process with its pipes as streams: what {@link Subprocess#createSubprocessExec} and
 * {@link Subprocess#createSubprocessShell} return. Mirrors asyncio's
 * {@code asyncio.subprocess.Process}; the {@code Async} prefix keeps it apart from
 * {@link java.lang.Process}, by the project's rule for colliding names.
 *
 * <p>Every method must be called on the process's loop; the waiting ones ({@link #waitFor},
 * {@link #communicate}) from a task.
 *
 * <p><b>Deadlocks.</b> As in asyncio: a child whose output pipe nobody reads stops once the pipe
 * and the reader's buffer (twice the limit) are full. {@link #waitFor()} then waits for ever;
 * use {@link #communicate} (it reads both pipes at once), or read the streams in tasks.
 *
 * <p><b>Cleanup.</b> Java reaps every child as it exits, so no zombie is ever left. A child that
 * still runs when its loop closes is killed, as asyncio kills it when the forgotten transport is
 * collected; start it with {@link ProcessBuilder} if it must outlive the loop.
 */
public final class AsyncProcess {
    private static final int CHUNK = 64 * 1024;

    private final EventLoop loop;
    private final ProcessTransport transport;
    private final SubprocessStreamProtocol protocol;
    private final ByteArrayOutputStream collectedOut = new ByteArrayOutputStream();
    private final ByteArrayOutputStream collectedErr = new ByteArrayOutputStream();
    private boolean communicateCalled;
    private boolean communicating;

    AsyncProcess(EventLoop loop, ProcessTransport transport, SubprocessStreamProtocol protocol) {
        this.loop = loop;
        this.transport = transport;
        this.protocol = protocol;
    }

    /** {@return the writer to the child's stdin, or null if stdin is not a pipe} */
    public StreamWriter stdin() {
        return protocol.stdin();
    }

    /** {@return the reader of the child's stdout, or null if stdout is not a pipe} */
    public StreamReader stdout() {
        return protocol.stdout();
    }

    /** {@return the reader of the child's stderr, or null if stderr is not a pipe (or merged into stdout)} */
    public StreamReader stderr() {
        return protocol.stderr();
    }

    /** {@return the child's process id} */
    public long pid() {
        return transport.getPid();
    }

    /**
     * How the child ended, or null while it runs: its exit status, or {@code -signum} if it died
     * of a signal that this object sent ({@link #terminate}, {@link #kill}, {@link #sendSignal}).
     * Java reports any death by signal as {@code 128 + signum}, which cannot be told apart from
     * {@code exit(128 + signum)}; so a signal sent by someone else shows as {@code 128 + signum}.
     *
     * @return the return code, or null
     */
    public Integer returncode() {
        return transport.getReturncode();
    }

    /**
     * Waits for the child to exit and returns its {@linkplain #returncode() return code}. Mirrors
     * asyncio's {@code Process.wait()}, renamed because {@link Object#wait()} is final in Java.
     * Unlike asyncio (3.12+), it returns as soon as the child has exited, without waiting for the
     * pipes to close: a grandchild that keeps them open does not hold it up. Output still in the
     * pipes stays readable from {@link #stdout()} and {@link #stderr()}.
     *
     * <p>A cancellation point: if cancelled, the child keeps running, as it was.
     *
     * @return the return code
     */
    public int waitFor() {
        return transport.exitFuture().await();
    }

    /**
     * Writes {@code input} to stdin and closes it, reads stdout and stderr to their end (both at
     * once, so a child that fills one pipe while we wait on the other cannot deadlock), waits for
     * the child to exit, and returns what was read. Mirrors asyncio's {@code communicate()}: a
     * broken pipe on stdin (the child exited or closed it without reading everything) is
     * ignored, and the output of a stream that is not a pipe is null.
     *
     * <p>A cancellation point. <b>Cancelling it loses no output</b> (asyncio's does): the bytes
     * read so far are kept by this object; {@link #collectedOutput()} shows them, and a later
     * {@code communicate()} goes on reading and returns them with the rest. The input is written
     * in full even if the call is cancelled (it is handed to the pipe before the first wait), and
     * stdin is closed by the call that completes. The usual pattern, as with Python's
     * {@code subprocess}:
     *
     * <pre>{@code
     * CommunicateResult out;
     * try {
     *     out = Asyncio.timeout(5).run(() -> proc.communicate(input));
     * } catch (AsyncTimeoutException e) {
     *     proc.kill();
     *     out = proc.communicate(null);   // everything: what the first call read, then the rest
     * }
     * }</pre>
     *
     * @param input the bytes for stdin, or null for none; only the first call may give input
     * @return the output read by every {@code communicate()} call of this process
     * @throws IllegalStateException if another task is in {@code communicate()} on this process,
     *     if input is given to a later call, or if input is given and stdin is not a pipe
     * @throws IOException if reading a pipe fails
     */
    public CommunicateResult communicate(byte[] input) throws IOException {
        if (communicating) {
            throw new IllegalStateException("communicate() is already running on " + this);
        }
        StreamWriter in = stdin();
        if (input != null) {
            if (in == null) {
                throw new IllegalStateException("communicate() was given input, but stdin is not a pipe "
                        + "(use stdin(Stdio.PIPE))");
            }
            if (communicateCalled) {
                throw new IllegalStateException("Only the first communicate() may give input: "
                        + "an earlier call took it (and still writes it, even if cancelled)");
            }
        }
        if (loop.currentTask() == null) {
            throw new IllegalStateException("communicate() waits: call it from a task of " + loop);
        }
        communicateCalled = true;
        communicating = true;
        try {
            if (input != null && input.length > 0) {
                in.write(input); // handed over at once: a cancelled call still delivers it
            }
            try {
                TaskGroup.run(g -> {
                    if (in != null && !in.isClosing()) {
                        g.createTask("communicate: stdin of " + pid(), () -> feedAndClose(in));
                    }
                    if (stdout() != null) {
                        g.createTask("communicate: stdout of " + pid(), () -> collect(stdout(), 1, collectedOut));
                    }
                    if (stderr() != null) {
                        g.createTask("communicate: stderr of " + pid(), () -> collect(stderr(), 2, collectedErr));
                    }
                });
            } catch (ExceptionGroup eg) {
                List<Throwable> leaves = eg.leaves();
                if (leaves.size() == 1 && leaves.getFirst() instanceof IOException e) {
                    throw e;
                }
                throw eg;
            }
            waitFor();
            return collectedOutput();
        } finally {
            communicating = false;
        }
    }

    /**
     * {@link #communicate(byte[])} with no input.
     *
     * @return the output
     * @throws IOException if reading a pipe fails
     */
    public CommunicateResult communicate() throws IOException {
        return communicate(null);
    }

    /**
     * What {@link #communicate} has read so far, without waiting: after a cancelled or timed-out
     * call, the partial output; after a completed one, all of it. A stream that is not a pipe
     * gives null.
     *
     * @return the bytes read so far
     */
    public CommunicateResult collectedOutput() {
        return new CommunicateResult(stdout() == null ? null : collectedOut.toByteArray(),
                stderr() == null ? null : collectedErr.toByteArray());
    }

    private static void feedAndClose(StreamWriter in) {
        try {
            in.drain();
        } catch (IOException gone) {
            // As asyncio: the child exited or closed stdin without reading it all (a broken
            // pipe); its output and exit status tell what happened.
        }
        in.close();
    }

    private void collect(StreamReader r, int fd, ByteArrayOutputStream into) throws IOException {
        while (true) {
            byte[] b = r.read(CHUNK);
            if (b.length == 0) {
                break;
            }
            into.writeBytes(b); // no wait between the read and here: a cancellation cannot lose it
        }
        BaseTransport pipe = transport.getPipeTransport(fd);
        if (pipe != null) {
            pipe.close();
        }
    }

    /**
     * Sends a signal by name ({@code "HUP"}, {@code "SIGUSR1"}...) to the child. Mirrors
     * {@code send_signal}, which takes a number; see {@link SubprocessTransport#sendSignal(String)}:
     * TERM and KILL go through {@link ProcessHandle}, the others through
     * {@code kill -s NAME PID} (which blocks the loop for the few milliseconds it runs). Does nothing once the child has exited.
     *
     * @param name the signal's name
     * @throws IllegalArgumentException if the name is not a signal's
     */
    public void sendSignal(String name) {
        transport.sendSignal(name);
    }

    /**
     * Sends the signal with number {@code signum}; see {@link #sendSignal(String)}.
     *
     * @param signum the signal's number
     */
    public void sendSignal(int signum) {
        transport.sendSignal(signum);
    }

    /** Asks the child to stop (SIGTERM). Mirrors {@code terminate}. Does nothing once it has exited. */
    public void terminate() {
        transport.terminate();
    }

    /** Kills the child (SIGKILL). Mirrors {@code kill}. Does nothing once it has exited. */
    public void kill() {
        transport.kill();
    }

    @Override
    public String toString() {
        Integer rc = returncode();
        return "AsyncProcess[pid=" + pid() + (rc == null ? ", running" : ", returncode=" + rc) + "]";
    }
}
