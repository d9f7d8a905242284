package io.jasyncio.streams;

import io.jasyncio.AsyncFuture;
import io.jasyncio.internal.LoopBinding;
import io.jasyncio.net.BaseProtocol;

import java.io.IOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

/**
 * Write flow control for a protocol that a {@link StreamWriter} writes through (asyncio's
 * {@code FlowControlMixin}): it follows the transport's {@link #pauseWriting} /
 * {@link #resumeWriting} and {@link #connectionLost}, and {@link #drainHelper()} waits while
 * writing is paused. Any number of tasks may wait at once; all are woken together.
 *
 * <p>Subclasses that override the three callbacks must call these. Every method must be called on
 * the protocol's loop.
 */
public class FlowControl implements BaseProtocol {
    private final LoopBinding binding = new LoopBinding(this);
    private boolean paused;
    private boolean connectionLost;
    private Exception lostWith;
    private List<AsyncFuture<Void>> drainWaiters;
    private List<AsyncFuture<Void>> closeWaiters;

    /** Flow control that is not paused and not lost. */
    public FlowControl() {
    }

    /** The transport's buffer went over its high-water mark: {@link #drainHelper()} now waits. */
    @Override
    public void pauseWriting() {
        paused = true;
    }

    /** The transport's buffer drained to its low-water mark: wakes every waiting drain. */
    @Override
    public void resumeWriting() {
        paused = false;
        if (drainWaiters != null) {
            for (AsyncFuture<Void> w : List.copyOf(drainWaiters)) {
                if (!w.isDone()) {
                    w.setResult(null);
                }
            }
        }
    }

    /**
     * The connection is gone: waiting drains wake (with {@code exc} if there is one), later drains
     * fail, and {@link #waitClosed} returns (or throws {@code exc}).
     *
     * @param exc why, or null for a regular close
     */
    @Override
    public void connectionLost(Exception exc) {
        connectionLost = true;
        lostWith = exc;
        if (paused && drainWaiters != null) {
            for (AsyncFuture<Void> w : List.copyOf(drainWaiters)) {
                if (!w.isDone()) {
                    if (exc == null) {
                        w.setResult(null);
                    } else {
                        w.setException(exc);
                    }
                }
            }
        }
        List<AsyncFuture<Void>> cw = closeWaiters;
        closeWaiters = null;
        if (cw != null) {
            for (AsyncFuture<Void> w : cw) {
                if (!w.isDone()) {
                    if (exc == null) {
                        w.setResult(null);
                    } else {
                        w.setException(exc);
                    }
                }
            }
        }
    }

    /** {@return true while the transport has asked to stop writing} */
    public boolean isWritingPaused() {
        return paused;
    }

    /** {@return true once {@link #connectionLost} was called} */
    public boolean isConnectionLost() {
        return connectionLost;
    }

    /**
     * Waits while writing is paused. Mirrors {@code _drain_helper}.
     *
     * <p>A cancellation point: if cancelled, nothing changes (the data written stays buffered in
     * the transport and is still sent).
     *
     * @throws SocketException "Connection lost" if the connection is already gone (asyncio's
     *     {@code ConnectionResetError})
     * @throws IOException (or any exception, unchanged) the connection's failure, if it is lost
     *     while this waits
     */
    public void drainHelper() throws IOException {
        if (connectionLost) {
            throw new SocketException("Connection lost");
        }
        if (!paused) {
            return;
        }
        AsyncFuture<Void> w = binding.loop().createFuture();
        w.describedAs("drain");
        if (drainWaiters == null) {
            drainWaiters = new ArrayList<>(2);
        }
        drainWaiters.add(w);
        try {
            w.await();
        } finally {
            drainWaiters.remove(w);
        }
    }

    /**
     * Waits until the connection is lost (closed by either side, or failed); returns at once if it
     * already is. Mirrors {@code StreamWriter.wait_closed}, which waits on the protocol.
     * Subclasses that serve several streams (a subprocess's pipes) may override it to wait for
     * the one {@code writer} belongs to.
     *
     * <p>A cancellation point: if cancelled, nothing changes.
     *
     * @param writer the writer asking
     * @throws IOException (or any exception, unchanged) the failure the connection was lost with
     */
    public void waitClosed(StreamWriter writer) throws IOException {
        if (connectionLost) {
            if (lostWith != null) {
                throw StreamReader.<IOException>sneaky(lostWith);
            }
            return;
        }
        AsyncFuture<Void> w = binding.loop().createFuture();
        w.describedAs("waitClosed");
        if (closeWaiters == null) {
            closeWaiters = new ArrayList<>(1);
        }
        closeWaiters.add(w);
        try {
            w.await();
        } finally {
            List<AsyncFuture<Void>> cw = closeWaiters;
            if (cw != null) {
                cw.remove(w);
            }
        }
    }
}
