package io.jasyncio.conformance;

import io.jasyncio.Asyncio;
import io.jasyncio.EventLoop;
import io.jasyncio.Runner;
import io.jasyncio.Task;
import io.jasyncio.VirtualClock;
import io.jasyncio.net.ReadTransport;
import io.jasyncio.streams.IncompleteReadException;
import io.jasyncio.streams.LimitOverrunException;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamReaderProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPython's Lib/test/test_asyncio/test_streams.py, case by case. */
@Timeout(30)
class StreamsConformanceTest {

    /** test_IncompleteReadError_pickleable: the partial bytes survive serialization. */
    @Test
    void incompleteReadErrorPickleable() throws Exception {
        IncompleteReadException e = new IncompleteReadException("abc".getBytes(), 10);
        IncompleteReadException e2 = roundTrip(e);
        assertEquals(e.getMessage(), e2.getMessage());
        assertArrayEquals(e.partial(), e2.partial());
        assertEquals(e.expected(), e2.expected());
    }

    /** test_LimitOverrunError_pickleable. */
    @Test
    void limitOverrunErrorPickleable() throws Exception {
        LimitOverrunException e = new LimitOverrunException("message", 10);
        LimitOverrunException e2 = roundTrip(e);
        assertEquals(e.getMessage(), e2.getMessage());
        assertEquals(e.consumed(), e2.consumed());
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    /**
     * test_streamreader_constructor_without_loop: asyncio raises; jasyncio's reader (and its
     * protocol) binds to the loop of its first waiting read instead, as the coordination
     * primitives do. A kept difference: see docs/differences.md ("Streams made outside a loop").
     */
    @Test
    void streamreaderConstructorWithoutLoop() {
        StreamReader reader = new StreamReader();            // no loop here: allowed
        StreamReaderProtocol protocol = new StreamReaderProtocol(reader);
        assertSame(reader, protocol.reader());
        try (Runner first = new Runner(() -> EventLoop.builder().clock(new VirtualClock()).build())) {
            first.run(() -> {
                Task<byte[]> read = Asyncio.createTask(() -> reader.read(10));
                Asyncio.sleep(0);                            // the read waits: the reader binds here
                reader.feedData("abc".getBytes());
                assertArrayEquals("abc".getBytes(), read.await());
            });
        }
        try (Runner second = new Runner(() -> EventLoop.builder().clock(new VirtualClock()).build())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> second.run(() -> reader.read(10)));
            assertTrue(e.getMessage().contains("is bound to"), e.getMessage());
        }
    }

    /** Records the reader's flow-control calls. */
    private static final class Recorder implements ReadTransport {
        final List<String> calls = new ArrayList<>();
        boolean reading = true;

        @Override public boolean isReading() { return reading; }
        @Override public void pauseReading() { reading = false; calls.add("pause"); }
        @Override public void resumeReading() { reading = true; calls.add("resume"); }
        @Override public void close() { }
        @Override public boolean isClosing() { return false; }
        @Override public Object getExtraInfo(String name) { return null; }
    }

    /**
     * test_read_all_from_pipe_reader (asyncio issue 168): read(-1) over a stream far longer than
     * twice the limit. asyncio reads it block by block, so its buffer stays bounded and the
     * transport is paused while the buffer is over the bound; the whole stream is returned.
     */
    @Test
    void readAllFromPipeReader() {
        Conformance.run(() -> {
            int limit = 10;
            StreamReader r = new StreamReader(limit);
            Recorder t = new Recorder();
            r.setTransport(t);
            Task<byte[]> all = Asyncio.createTask(() -> r.read(-1));
            Asyncio.sleep(0);
            byte[] data = new byte[100];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            int most = 0;
            for (int at = 0; at < data.length; at += 25) {
                r.feedData(Arrays.copyOfRange(data, at, at + 25)); // more than 2 × limit at once
                most = Math.max(most, r.buffered());
                assertFalse(t.reading, "the transport is paused while the buffer is over 2 × limit");
                Asyncio.sleep(0);                                  // the reader drains block by block
                assertTrue(r.buffered() <= limit, "buffered " + r.buffered());
            }
            r.feedEof();
            assertArrayEquals(data, all.await());
            assertTrue(t.calls.contains("pause") && t.calls.contains("resume"), t.calls.toString());
            assertEquals(25, most);
        });
    }

    /** read(-1) cancelled half-way loses nothing: what it gathered goes back to the buffer. */
    @Test
    void readAllCancelledKeepsTheBytes() {
        Conformance.run(() -> {
            StreamReader r = new StreamReader(10);
            Task<byte[]> all = Asyncio.createTask(() -> r.read(-1));
            Asyncio.sleep(0);
            r.feedData("0123456789abcdefghijklmnopqrstuvwxyz".getBytes());
            Asyncio.sleep(0);
            all.cancel();
            Asyncio.sleep(0);
            assertTrue(all.isCancelled());
            r.feedData("!".getBytes());
            r.feedEof();
            assertArrayEquals("0123456789abcdefghijklmnopqrstuvwxyz!".getBytes(), r.read(-1));
        });
    }
}
