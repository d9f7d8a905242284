package io.jasyncio.net;

import io.jasyncio.AsyncFuture;
import io.jasyncio.Asyncio;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** A protocol that records every callback, for tests; awaitable milestones. */
class Recorder implements Protocol {
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    Transport transport;
    Exception lostWith;
    final AsyncFuture<Void> made = Asyncio.getRunningLoop().createFuture();
    final AsyncFuture<Void> lost = Asyncio.getRunningLoop().createFuture();
    final AsyncFuture<Void> eof = Asyncio.getRunningLoop().createFuture();
    boolean keepOpenOnEof;
    private AsyncFuture<Void> dataWaiter;
    private int waitFor;

    @Override
    public void connectionMade(Transport t) {
        transport = t;
        events.add("made");
        made.setResult(null);
    }

    @Override
    public void dataReceived(byte[] data) {
        if (events.isEmpty() || !events.get(events.size() - 1).equals("data")) {
            events.add("data");
        }
        received.writeBytes(data);
        if (dataWaiter != null && received.size() >= waitFor) {
            AsyncFuture<Void> w = dataWaiter;
            dataWaiter = null;
            w.setResult(null);
        }
    }

    @Override
    public boolean eofReceived() {
        events.add("eof");
        eof.setResult(null);
        return keepOpenOnEof;
    }

    @Override
    public void connectionLost(Exception exc) {
        events.add("lost");
        lostWith = exc;
        lost.setResult(null);
        if (dataWaiter != null) {
            dataWaiter.setResult(null);
        }
    }

    @Override
    public void pauseWriting() {
        events.add("pause");
    }

    @Override
    public void resumeWriting() {
        events.add("resume");
    }

    /** Waits until at least {@code n} bytes arrived in total (or the connection is lost). */
    void awaitBytes(int n) {
        if (received.size() >= n || lost.isDone()) {
            return;
        }
        waitFor = n;
        dataWaiter = Asyncio.getRunningLoop().createFuture();
        dataWaiter.await();
    }

    String text() {
        return received.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
