package io.jasyncio.internal.subprocess;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;
import io.jasyncio.internal.Carriers;
import io.jasyncio.internal.LoopAccess;
import io.jasyncio.net.BaseTransport;
import io.jasyncio.net.ExtraInfo;
import io.jasyncio.subprocess.Stdio;
import io.jasyncio.subprocess.SubprocessEndpoint;
import io.jasyncio.subprocess.SubprocessOptions;
import io.jasyncio.subprocess.SubprocessProtocol;
import io.jasyncio.subprocess.SubprocessTransport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A child process started with {@link ProcessBuilder}, as asyncio's
 * {@code BaseSubprocessTransport}: its pipes are {@link ReadPipeTransport}s and a
 * {@link WritePipeTransport}, each with a thread doing the blocking I/O; its exit is watched by a
 * virtual thread in {@link Process#waitFor()}. From the start until the child has exited and every pipe is
 * closed the loop counts it as work on another thread
 * ({@link LoopAccess.Ops#externalBegin}), so virtual time never jumps past output on its way.
 */
public final class ProcessTransport implements SubprocessTransport {
    private final EventLoop loop;
    private final SubprocessProtocol protocol;
    private final Process process;
    private final long pid;
    private WritePipeTransport stdin;
    private ReadPipeTransport stdout;
    private ReadPipeTransport stderr;
    /** Which pipes (fds 0 to 2) exist and are not yet lost. */
    private final boolean[] open = new boolean[3];

    private Integer returncode;
    private final BitSet signalsSent = new BitSet();
    private List<AsyncFuture<Integer>> exitWaiters = new ArrayList<>();
    private boolean closed;
    private boolean finished;

    private ProcessTransport(EventLoop loop, SubprocessProtocol protocol, Process process) {
        this.loop = loop;
        this.protocol = protocol;
        this.process = process;
        this.pid = process.pid();
    }

    /**
     * Starts {@code args} and connects its pipes to a protocol from {@code factory}; the
     * protocol's {@code connectionMade} has run when this returns. Call on the loop.
     *
     * @throws IOException if the process cannot start (no such program, not executable, bad cwd)
     */
    public static <P extends SubprocessProtocol> SubprocessEndpoint<P> spawn(EventLoop loop,
            Supplier<? extends P> factory, List<String> args, SubprocessOptions options) throws IOException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(options, "options");
        List<String> command = List.copyOf(args);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("args must name a program");
        }
        if (!loop.isOnLoop()) {
            throw new IllegalStateException("Cannot start a subprocess off the loop: call it in a task or callback of "
                    + loop);
        }
        if (loop.isClosed()) {
            throw new IllegalStateException("Cannot start a subprocess on a closed loop: " + loop);
        }
        P protocol = Objects.requireNonNull(factory.get(), "the protocol factory returned null");
        ProcessBuilder pb = builder(command, options);
        // Spawning runs on the loop, as asyncio's does: posix_spawn returns in a millisecond or so.
        Process process = pb.start();
        ProcessTransport t = new ProcessTransport(loop, protocol, process);
        if (options.stdin().kind() == Stdio.Kind.PIPE) {
            t.stdin = new WritePipeTransport(t, process.getOutputStream());
            t.open[0] = true;
        } else {
            PipeThreads.closeQuietly(process.getOutputStream()); // a null stream; nothing to flush
        }
        if (options.stdout().kind() == Stdio.Kind.PIPE) {
            t.stdout = new ReadPipeTransport(t, 1, process.getInputStream());
            t.open[1] = true;
        }
        if (options.stderr().kind() == Stdio.Kind.PIPE) {
            t.stderr = new ReadPipeTransport(t, 2, process.getErrorStream());
            t.open[2] = true;
        }
        LoopAccess.ops().externalBegin(loop);
        Orphans.add(t);
        try {
            protocol.connectionMade(t);
        } catch (RuntimeException | Error e) {
            t.abandon();
            throw e;
        }
        if (t.stdin != null) {
            t.stdin.start();
        }
        if (t.stdout != null) {
            t.stdout.start();
        }
        if (t.stderr != null) {
            t.stderr.start();
        }
        // Not Process.onExit(): it completes on the common ForkJoinPool (handleAsync), which has
        // one thread on a two-core machine and which any code may keep busy, and the exit would
        // wait for it. The JDK's reaper thread itself wakes a thread in waitFor(); a virtual one
        // costs a few hundred bytes while it waits.
        Carriers.sharedSchedulerBuilder().name("jasyncio-exit-" + t.pid).start(t::watchExit);
        return new SubprocessEndpoint<>(t, protocol);
    }

    /** The exit watcher's body: waits for the child, then tells the loop (if it is still open). */
    private void watchExit() {
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // nobody should interrupt it; the exit is still to be told
            }
        }
        post(this::exited);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static ProcessBuilder builder(List<String> command, SubprocessOptions o) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectInput(switch (o.stdin().kind()) {
            case PIPE -> ProcessBuilder.Redirect.PIPE;
            case DEVNULL -> ProcessBuilder.Redirect.from(ProcessBuilder.Redirect.DISCARD.file());
            case INHERIT -> ProcessBuilder.Redirect.INHERIT;
            case FILE -> ProcessBuilder.Redirect.from(o.stdin().file().toFile());
            case STDOUT -> throw new IllegalArgumentException("Stdio.STDOUT is only for stderr");
        });
        pb.redirectOutput(output(o.stdout()));
        if (o.stderr().kind() == Stdio.Kind.STDOUT) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(output(o.stderr()));
        }
        if (o.cwd() != null) {
            pb.directory(o.cwd().toFile());
        }
        if (o.env() != null || !o.extraEnv().isEmpty()) {
            Map<String, String> env = pb.environment();
            if (o.env() != null) {
                env.clear();
                env.putAll(o.env());
            }
            env.putAll(o.extraEnv());
        }
        return pb;
    }

    private static ProcessBuilder.Redirect output(Stdio s) {
        return switch (s.kind()) {
            case PIPE -> ProcessBuilder.Redirect.PIPE;
            case DEVNULL -> ProcessBuilder.Redirect.DISCARD;
            case INHERIT -> ProcessBuilder.Redirect.INHERIT;
            case FILE -> s.isAppend() ? ProcessBuilder.Redirect.appendTo(s.file().toFile())
                    : ProcessBuilder.Redirect.to(s.file().toFile());
            case STDOUT -> throw new IllegalArgumentException("Stdio.STDOUT is only for stderr");
        };
    }

    /** connectionMade failed: nothing may be left running. */
    private void abandon() {
        closed = true;
        finished = true;
        Orphans.remove(this);
        LoopAccess.ops().externalEnd(loop);
        process.toHandle().destroyForcibly();
        // No thread was started: close the streams here (stdin has nothing buffered, so this cannot block).
        PipeThreads.closeQuietly(process.getOutputStream());
        PipeThreads.closeQuietly(process.getInputStream());
        PipeThreads.closeQuietly(process.getErrorStream());
    }

    /** Hands work to the loop from another thread; false once the loop is closed. */
    boolean post(Runnable r) {
        try {
            loop.callSoonThreadsafe(r);
            return true;
        } catch (IllegalStateException closedLoop) {
            return false;
        }
    }

    EventLoop loop() {
        return loop;
    }

    Process process() {
        return process;
    }

    /**
     * The loop closed while the child ran (called by {@link Orphans}, on its thread): kill it, and
     * let the pipe threads go, since nobody will tell them the child is gone.
     */
    void killOrphan() {
        process.toHandle().destroyForcibly();
        if (stdin != null) {
            stdin.release();
        }
        if (stdout != null) {
            stdout.release();
        }
        if (stderr != null) {
            stderr.release();
        }
    }

    // ------------------------------------------------------------------ events, on the loop

    void pipeData(int fd, byte[] data) {
        protocol.pipeDataReceived(fd, data);
    }

    void pipeLost(int fd, Exception exc) {
        open[fd] = false;
        tryFinish();
        protocol.pipeConnectionLost(fd, exc);
    }

    void stdinPauseWriting() {
        protocol.pauseWriting();
    }

    void stdinResumeWriting() {
        protocol.resumeWriting();
    }

    private void exited() {
        if (returncode != null) {
            return;
        }
        int status = process.exitValue();
        int signum = status - 128;
        returncode = signum > 0 && signalsSent.get(signum) ? -signum : status;
        List<AsyncFuture<Integer>> waiters = exitWaiters;
        exitWaiters = null;
        for (AsyncFuture<Integer> w : waiters) {
            if (!w.isDone()) {
                w.setResult(returncode);
            }
        }
        if (stdin != null) {
            stdin.processExited();
        }
        tryFinish();
        protocol.processExited();
    }

    private void tryFinish() {
        if (finished || returncode == null || open[0] || open[1] || open[2]) {
            return;
        }
        finished = true;
        Orphans.remove(this);
        LoopAccess.ops().externalEnd(loop);
        loop.callSoon(() -> protocol.connectionLost(null));
    }

    /**
     * A future completed with the return code when the child exits (at once if it has). Each
     * caller gets its own, so cancelling one wait leaves the others and the child alone.
     *
     * @return the future
     */
    public AsyncFuture<Integer> exitFuture() {
        AsyncFuture<Integer> f = loop.createFuture();
        if (returncode != null) {
            f.setResult(returncode);
        } else {
            f.describedAs("process " + pid + " to exit");
            exitWaiters.add(f);
            f.addDoneCallback(x -> {
                if (exitWaiters != null) {
                    exitWaiters.remove(x);
                }
            });
        }
        return f;
    }

    // ------------------------------------------------------------------ SubprocessTransport

    @Override
    public long getPid() {
        return pid;
    }

    @Override
    public Integer getReturncode() {
        return returncode;
    }

    @Override
    public BaseTransport getPipeTransport(int fd) {
        return switch (fd) {
            case 0 -> stdin;
            case 1 -> stdout;
            case 2 -> stderr;
            default -> throw new IllegalArgumentException("fd must be 0, 1 or 2: " + fd);
        };
    }

    @Override
    public SubprocessProtocol getProtocol() {
        return protocol;
    }

    private boolean running() {
        return returncode == null && process.isAlive();
    }

    @Override
    public void sendSignal(String name) {
        String n = Signals.normalise(name);
        switch (n) {
            case "TERM" -> terminate();
            case "KILL" -> kill();
            default -> {
                if (!running()) {
                    return;
                }
                int num = Signals.number(n);
                if (num > 0) {
                    signalsSent.set(num);
                }
                Signals.sendWithKillCommand(n, pid);
            }
        }
    }

    @Override
    public void sendSignal(int signum) {
        if (signum <= 0) {
            throw new IllegalArgumentException("A signal number is positive: " + signum);
        }
        if (signum == Signals.KILL) {
            kill();
        } else if (signum == Signals.TERM) {
            terminate();
        } else if (running()) {
            signalsSent.set(signum);
            Signals.sendWithKillCommand(Integer.toString(signum), pid);
        }
    }

    // Signals go through the ProcessHandle, never Process.destroy(): that one also closes the
    // process's streams, and closing stdin flushes it, which waits for the writer thread; with a
    // child that neither reads nor dies (it ignores SIGTERM), the loop would hang there. The
    // handle checks the start time too, so a recycled pid is never signalled.

    @Override
    public void terminate() {
        if (running()) {
            signalsSent.set(Signals.TERM);
            process.toHandle().destroy();
        }
    }

    @Override
    public void kill() {
        if (running()) {
            signalsSent.set(Signals.KILL);
            process.toHandle().destroyForcibly();
        }
    }

    /**
     * Closes the pipes and, if the child still runs, kills it (SIGKILL), as asyncio's
     * {@code close()} does. The protocol's {@code connectionLost} follows once it has exited.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (stdin != null) {
            stdin.close();
        }
        if (stdout != null) {
            stdout.close();
        }
        if (stderr != null) {
            stderr.close();
        }
        kill();
    }

    @Override
    public boolean isClosing() {
        return closed;
    }

    @Override
    public Object getExtraInfo(String name) {
        return ExtraInfo.PROCESS.equals(name) ? process : null;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ProcessTransport[pid=").append(pid);
        b.append(returncode != null ? ", returncode=" + returncode : ", running");
        if (closed) {
            b.append(", closed");
        }
        return b.append(']').toString();
    }
}
