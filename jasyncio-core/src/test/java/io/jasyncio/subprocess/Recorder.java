package io.jasyncio.subprocess;

import io.jasyncio.AsyncFuture;
import io.jasyncio.EventLoop;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** A subprocess protocol that records what it is told. */
class Recorder implements SubprocessProtocol {
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    long outBytes;
    long errBytes;
    boolean keep = true;
    final Exception[] pipeErrors = new Exception[3];
    final AsyncFuture<Void> lost;
    final AsyncFuture<Void> exited;
    SubprocessTransport transport;

    Recorder() {
        EventLoop loop = EventLoop.getRunningLoop();
        lost = loop.createFuture();
        exited = loop.createFuture();
    }

    @Override
    public void connectionMade(SubprocessTransport t) {
        transport = t;
        events.add("made");
    }

    @Override
    public void pipeDataReceived(int fd, byte[] data) {
        if (fd == 1) {
            outBytes += data.length;
            if (keep) {
                out.writeBytes(data);
            }
        } else {
            errBytes += data.length;
            if (keep) {
                err.writeBytes(data);
            }
        }
    }

    @Override
    public void pipeConnectionLost(int fd, Exception exc) {
        pipeErrors[fd] = exc;
        events.add("pipe" + fd + "lost");
    }

    @Override
    public void processExited() {
        events.add("exited");
        exited.setResult(null);
    }

    @Override
    public void pauseWriting() {
        events.add("pause");
    }

    @Override
    public void resumeWriting() {
        events.add("resume");
    }

    @Override
    public void connectionLost(Exception exc) {
        events.add("lost");
        lost.setResult(null);
    }

    String outText() {
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    String errText() {
        return err.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
