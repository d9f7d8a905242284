package io.jasyncio.internal.subprocess;

import io.jasyncio.net.ReadTransport;
import io.jasyncio.net.WriteTransport;
import io.jasyncio.streams.FlowControl;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamWriter;
import io.jasyncio.subprocess.BrokenPipeException;
import io.jasyncio.subprocess.SubprocessProtocol;
import io.jasyncio.subprocess.SubprocessTransport;

import java.io.IOException;

/**
 * The protocol behind {@code AsyncProcess} (asyncio's {@code SubprocessStreamProtocol}): stdout
 * and stderr feed {@link StreamReader}s, stdin is a {@link StreamWriter} whose flow control is
 * this protocol's. The {@link FlowControl} side stands for the stdin pipe alone: its
 * {@code connectionLost} is called when that pipe goes, so {@code drain()} and
 * {@code waitClosed()} on stdin follow it. Once the process has exited and both output pipes
 * have ended, the transport is closed.
 */
public final class SubprocessStreamProtocol extends FlowControl implements SubprocessProtocol {
    private final int limit;
    private SubprocessTransport transport;
    private StreamWriter stdin;
    private StreamReader stdout;
    private StreamReader stderr;
    private int openOutputs;
    private boolean exited;
    private boolean stdinLost;
    private Exception stdinLostWith;

    /** @param limit the stream readers' limit */
    public SubprocessStreamProtocol(int limit) {
        this.limit = limit;
    }

    @Override
    public void connectionMade(SubprocessTransport t) {
        transport = t;
        if (t.getPipeTransport(1) instanceof ReadTransport out) {
            stdout = new StreamReader(limit);
            stdout.setTransport(out);
            openOutputs++;
        }
        if (t.getPipeTransport(2) instanceof ReadTransport err) {
            stderr = new StreamReader(limit);
            stderr.setTransport(err);
            openOutputs++;
        }
        if (t.getPipeTransport(0) instanceof WriteTransport in) {
            stdin = new StreamWriter(in, this, null);
        }
    }

    @Override
    public void pipeDataReceived(int fd, byte[] data) {
        StreamReader r = fd == 1 ? stdout : fd == 2 ? stderr : null;
        if (r != null) {
            r.feedData(data);
        }
    }

    @Override
    public void pipeConnectionLost(int fd, Exception exc) {
        if (fd == 0) {
            stdinLost = true;
            stdinLostWith = exc;
            super.connectionLost(exc);
            return;
        }
        StreamReader r = fd == 1 ? stdout : fd == 2 ? stderr : null;
        if (r != null) {
            if (exc == null) {
                r.feedEof();
            } else {
                r.setException(exc);
            }
            openOutputs--;
        }
        maybeCloseTransport();
    }

    @Override
    public void processExited() {
        exited = true;
        maybeCloseTransport();
    }

    private void maybeCloseTransport() {
        if (exited && openOutputs == 0 && transport != null) {
            transport.close();
        }
    }

    /** The whole process is done; the stdin side was told when its pipe went. */
    @Override
    public void connectionLost(Exception exc) {
    }

    /**
     * Waits while stdin's writing is paused; once the stdin pipe is gone, says so with a
     * {@link BrokenPipeException} (asyncio says "Connection lost", a socket's words).
     */
    @Override
    public void drainHelper() throws IOException {
        if (stdinLost) {
            String why = stdinLostWith != null ? stdinLostWith.getMessage()
                    : "the pipe was closed" + (exited ? " (the process exited)" : "");
            throw new BrokenPipeException("The stdin of process " + transport.getPid() + " is closed: " + why,
                    stdinLostWith);
        }
        super.drainHelper();
    }

    /** @return the stdin writer, or null */
    public StreamWriter stdin() {
        return stdin;
    }

    /** @return the stdout reader, or null */
    public StreamReader stdout() {
        return stdout;
    }

    /** @return the stderr reader, or null */
    public StreamReader stderr() {
        return stderr;
    }
}
