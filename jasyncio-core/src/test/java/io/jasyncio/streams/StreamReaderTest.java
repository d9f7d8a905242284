package io.jasyncio.streams;

import io.jasyncio.Asyncio;
import io.jasyncio.CancelledError;
import io.jasyncio.EventLoop;
import io.jasyncio.Task;
import io.jasyncio.net.ReadTransport;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader's logic, fed as a protocol feeds it (feedData / feedEof / setException from loop
 * callbacks), pinned to asyncio 3.13's {@code StreamReader} behaviour.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamReaderTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Feeds each chunk from its own loop callback, then EOF if asked. */
    static void feedLater(StreamReader r, boolean eof, String... chunks) {
        EventLoop loop = Asyncio.getRunningLoop();
        double t = 0.001;
        for (String c : chunks) {
            loop.callLater(t, () -> r.feedData(b(c)));
            t += 0.001;
        }
        if (eof) {
            loop.callLater(t, r::feedEof);
        }
    }

    @Nested
    class Read {
        @Test
        void returnsWhatIsBufferedUpToN() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                r.feedData(b("line1\nline2\n"));
                assertEquals("line1", s(r.read(5)));
                assertEquals("\nline2\n", s(r.read(100)));
                assertEquals(0, r.read(0).length);
            });
        }

        @Test
        void waitsForTheFirstByte() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                feedLater(r, false, "chunk");
                assertEquals("chunk", s(r.read(30)));
            });
        }

        @Test
        void atEofReturnsEmpty() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                r.feedData(b("x"));
                r.feedEof();
                assertFalse(r.atEof());
                assertEquals("x", s(r.read(10)));
                assertTrue(r.atEof());
                assertEquals(0, r.read(10).length);
                assertEquals(0, r.read(-1).length);
            });
        }

        @Test
        void minusOneReadsUntilEof() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(3);
                feedLater(r, true, "chunk1\n", "chunk2", "", "chunk3");
                assertEquals("chunk1\nchunk2chunk3", s(r.read(-1)));
                assertTrue(r.atEof());
            });
        }

        @Test
        void theArrayIsCopiedOnFeed() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                byte[] mine = b("abc");
                r.feedData(mine);
                mine[0] = 'z';
                assertEquals("abc", s(r.read(3)));
                r.feedData(b("0123456789"), 2, 3);
                assertEquals("234", s(r.read(10)));
            });
        }
    }

    @Nested
    class Readline {
        @Test
        void linesAcrossChunks() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                r.feedData(b("chk1 "));
                feedLater(r, false, "chunk2 ", "chunk3 ", "\n chunk4");
                assertEquals("chk1 chunk2 chunk3 \n", s(r.readline()));
                assertEquals(" chunk4", s(r.read(100)));
            });
        }

        @Test
        void atEofReturnsThePartialLineThenEmpty() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                r.feedData(b("some data"));
                r.feedEof();
                assertEquals("some data", s(r.readline()));
                assertEquals(0, r.readline().length);
            });
        }

        @Test
        void aLineOfExactlyTheLimitIsFine() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(7);
                r.feedData(b("1234567\n"));
                assertEquals("1234567\n", s(r.readline()));
            });
        }

        @Test
        void anOversizeLineWithItsNewlineIsDroppedWithIt() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(7);
                r.feedData(b("12345678\nnext\n"));
                LimitOverrunException e = assertThrows(LimitOverrunException.class, r::readline);
                assertEquals(8, e.consumed());
                assertEquals("next\n", s(r.readline()));
            });
        }

        @Test
        void anOversizeLineWithoutNewlineDropsTheBuffer() {
            // asyncio's test_readline_limit_with_existing_data, both halves.
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(3);
                r.feedData(b("li"));
                r.feedData(b("ne1\nline2\n"));
                assertThrows(LimitOverrunException.class, r::readline);
                assertEquals("line2\n", s(r.read(100))); // the first line went with its newline

                StreamReader r2 = new StreamReader(3);
                r2.feedData(b("li"));
                r2.feedData(b("ne1"));
                r2.feedData(b("li"));
                assertThrows(LimitOverrunException.class, r2::readline);
                assertEquals(0, r2.buffered());
            });
        }

        @Test
        void anOversizeLineArrivingInPiecesIsCutAtTheLimit() {
            // asyncio's test_readline_limit: the rest of a dropped line reads as the next line.
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(7);
                feedLater(r, true, "12345678", "9\nyes\n");
                LimitOverrunException e = assertThrows(LimitOverrunException.class, r::readline);
                assertTrue(e.getMessage().contains("discarded"), e.getMessage());
                assertEquals("9\n", s(r.readline()));
                assertEquals("yes\n", s(r.readline()));
                assertEquals(0, r.readline().length);
            });
        }

        @Test
        void forEachReadsLinesUntilEof() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                feedLater(r, true, "one\ntw", "o\n", "three");
                List<String> got = new ArrayList<>();
                for (byte[] line : r.lines()) {
                    got.add(s(line));
                }
                assertEquals(List.of("one\n", "two\n", "three"), got);
            });
        }
    }

    @Nested
    class ReadExactly {
        @Test
        void waitsForAllOfIt() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                feedLater(r, false, "ab", "cdef", "ghij");
                assertEquals("abcdefg", s(r.readExactly(7)));
                assertEquals("hij", s(r.read(10)));
                assertEquals(0, r.readExactly(0).length);
                assertThrows(IllegalArgumentException.class, () -> r.readExactly(-1));
            });
        }

        @Test
        void moreThanTheLimitIsFine() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(4);
                feedLater(r, false, "0123456789", "abcdef");
                assertEquals("0123456789abcde", s(r.readExactly(15)));
            });
        }

        @Test
        void eofInsideRaisesWithThePartialBytes() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                feedLater(r, true, "abc", "de");
                IncompleteReadException e = assertThrows(IncompleteReadException.class, () -> r.readExactly(10));
                assertInstanceOf(EOFException.class, e);
                assertEquals("abcde", s(e.partial()));
                assertEquals(10, e.expected());
                assertTrue(r.atEof());
            });
        }
    }

    @Nested
    class ReadUntil {
        @Test
        void aSeparatorAcrossChunks() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                feedLater(r, false, "some dataAA", "A and more");
                assertEquals("some dataAAA", s(r.readUntil(b("AAA"))));
                assertEquals(" and more", s(r.read(100)));
            });
        }

        @Test
        void theShortestChunkWinsAmongSeveralSeparators() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                r.feedData(b("aXYZb"));
                // "XYZ" starts first but "Y" ends first.
                assertEquals("aXY", s(r.readUntil(b("XYZ"), b("Y"))));
                assertEquals("Zb", s(r.read(10)));

                r.feedData(b("line\r\nnext\n"));
                assertEquals("line\r\n", s(r.readUntil(b("\n"), b("\r\n"))));
                assertEquals("next\n", s(r.readUntil(b("\r\n"), b("\n"))));
            });
        }

        @Test
        void severalSeparatorsAcrossChunks() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                feedLater(r, false, "xx--", "=yy", "==");
                assertEquals("xx--=", s(r.readUntil(b("--="), b("==="))));
                assertEquals("yy==", s(r.readUntil(b("=="), b("--="))));
            });
        }

        @Test
        void badSeparatorsAreRefused() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                assertThrows(IllegalArgumentException.class, () -> r.readUntil(new byte[0]));
                assertThrows(IllegalArgumentException.class, () -> r.readUntil(new byte[0][]));
                assertThrows(IllegalArgumentException.class, () -> r.readUntil(b("a"), new byte[0]));
            });
        }

        @Test
        void eofBeforeTheSeparatorRaisesWithEverything() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                feedLater(r, true, "some dataAA");
                IncompleteReadException e = assertThrows(IncompleteReadException.class, () -> r.readUntil(b("AAA")));
                assertEquals("some dataAA", s(e.partial()));
                assertEquals(-1, e.expected());
                assertEquals(0, r.buffered());
            });
        }

        @Test
        void aCompleteChunkBufferedWithTheEofIsReturned() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                r.feedData(b("aaa!"));
                r.feedEof();
                assertEquals("aaa!", s(r.readUntil(b("!"))));
                assertTrue(r.atEof());
            });
        }

        @Test
        void anOverrunKeepsTheData() {
            // asyncio's test_readuntil_limit_found_sep
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(3);
                r.feedData(b("some dataAA"));
                LimitOverrunException e = assertThrows(LimitOverrunException.class, () -> r.readUntil(b("AAA")));
                assertTrue(e.getMessage().contains("not found"), e.getMessage());
                assertEquals(11, r.buffered());
                r.feedData(b("A"));
                e = assertThrows(LimitOverrunException.class, () -> r.readUntil(b("AAA")));
                assertTrue(e.getMessage().contains("is found"), e.getMessage());
                assertEquals(9, e.consumed());
                assertEquals("some dataAAA", s(r.read(100)));
            });
        }

        @Test
        void theLimitCountsTheChunkWithoutTheSeparator() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(5);
                r.feedData(b("12345|||"));
                assertEquals("12345|||", s(r.readUntil(b("|||"))));
                r.feedData(b("123456|"));
                assertEquals(6, assertThrows(LimitOverrunException.class, () -> r.readUntil(b("|"))).consumed());
            });
        }

        @Test
        void withSeveralSeparatorsTheSearchKeepsTheLongestOnesTailInView() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(4);
                r.feedData(b("abcd"));
                // 4 bytes, no separator yet: the search may go on (offset = 4 + 1 - 3 = 2).
                Task<byte[]> t = Asyncio.createTask(() -> r.readUntil(b("X"), b("YYY")));
                Asyncio.sleep(0.01);
                assertFalse(t.isDone());
                r.feedData(b("eY"));
                // 6 bytes, none found: offset = 6 + 1 - 3 = 4, not above the limit.
                Asyncio.sleep(0.01);
                assertFalse(t.isDone());
                r.feedData(b("f"));
                assertThrows(LimitOverrunException.class, t::await);
                assertEquals(7, r.buffered());
            });
        }
    }

    @Nested
    class Failures {
        @Test
        void aWaitingReadGetsTheExceptionUnchanged() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                SocketException reset = new SocketException("Connection reset");
                Asyncio.getRunningLoop().callLater(0.01, () -> r.setException(reset));
                assertSame(reset, assertThrows(SocketException.class, r::readline));
                assertSame(reset, r.exception());
                assertSame(reset, assertThrows(SocketException.class, () -> r.read(1)));
            });
        }

        @Test
        void bytesBufferedBeforeAFailureAreStillRead() {
            // asyncio raises at once and the buffered bytes are lost; we deliver them first.
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                r.feedData(b("reply\npart"));
                IOException reset = new SocketException("Connection reset");
                r.setException(reset);
                assertEquals("reply\n", s(r.readline()));
                assertSame(reset, assertThrows(SocketException.class, r::readline));
                assertEquals("part", s(r.read(100)));
                assertSame(reset, assertThrows(SocketException.class, () -> r.read(100)));
                assertSame(reset, assertThrows(SocketException.class, () -> r.read(-1)));
            });
        }

        @Test
        void anyExceptionIsThrownUnchanged() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                IllegalStateException odd = new IllegalStateException("odd");
                r.setException(odd);
                assertSame(odd, assertThrows(IllegalStateException.class, () -> r.readExactly(1)));
            });
        }

        @Test
        void feedingAfterEofIsAnError() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                r.feedEof();
                r.feedEof();
                assertThrows(IllegalStateException.class, () -> r.feedData(b("late")));
            });
        }

        @Test
        void twoTasksCannotWaitOnOneReader() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                Task<byte[]> first = Asyncio.createTask(() -> r.read(10));
                Asyncio.sleep(0);
                IllegalStateException e = assertThrows(IllegalStateException.class, r::readline);
                assertTrue(e.getMessage().contains("already waiting"), e.getMessage());
                r.feedData(b("x"));
                assertEquals("x", s(first.await()));
            });
        }

        @Test
        void aLimitMustBePositive() {
            assertThrows(IllegalArgumentException.class, () -> new StreamReader(0));
            assertThrows(IllegalArgumentException.class, () -> new StreamReader(-1));
            assertEquals(StreamReader.DEFAULT_LIMIT, new StreamReader().limit());
        }

        @Test
        void readingOutsideATaskIsAnError() {
            StreamReader r = new StreamReader();
            assertThrows(IllegalStateException.class, () -> r.read(1));
        }
    }

    /** A cancelled read consumes nothing: every byte is there for the next read. */
    @Nested
    class Cancellation {
        private void cancelWhileWaiting(StreamReader r, io.jasyncio.CheckedRunnable read) {
            Task<Void> t = Asyncio.createTask(read);
            Asyncio.sleep(0.01);
            assertFalse(t.isDone());
            t.cancel();
            assertThrows(CancelledError.class, t::await);
        }

        @Test
        void readExactly() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                r.feedData(b("abc"));
                cancelWhileWaiting(r, () -> r.readExactly(5));
                r.feedData(b("de"));
                assertEquals("abcde", s(r.readExactly(5)));
            });
        }

        @Test
        void readlineAndReadUntil() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                r.feedData(b("partial li"));
                cancelWhileWaiting(r, r::readline);
                cancelWhileWaiting(r, () -> r.readUntil(b("\r\n"), b("\n")));
                r.feedData(b("ne\n"));
                assertEquals("partial line\n", s(r.readline()));
            });
        }

        @Test
        void readAll() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(2);
                r.feedData(b("kept "));
                cancelWhileWaiting(r, () -> r.read(-1));
                r.feedData(b("all"));
                r.feedEof();
                assertEquals("kept all", s(r.read(-1)));
            });
        }

        @Test
        void readOfAnEmptyBuffer() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                cancelWhileWaiting(r, () -> r.read(10));
                r.feedData(b("next"));
                assertEquals("next", s(r.read(10)));
            });
        }

        @Test
        void dataArrivingAsTheReadIsCancelledIsReturnedAndTheCancellationComesNext() {
            // The feed and the cancel land in the same loop iteration: the read returns the bytes
            // (they are not lost) and the task is cancelled at its next await.
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader();
                byte[][] got = new byte[1][];
                Task<Void> t = Asyncio.createTask(() -> {
                    got[0] = r.readExactly(4);
                    Asyncio.sleep(0);
                });
                Asyncio.sleep(0);
                r.feedData(b("wxyz"));
                t.cancel();
                assertThrows(CancelledError.class, t::await);
                assertEquals("wxyz", s(got[0]));
                assertEquals(0, r.buffered());
            });
        }
    }

    /** Read flow control: pause the transport above 2 × limit, resume at the limit or on a wait. */
    @Nested
    class FlowControlOfReading {
        /** Records pause/resume calls; a real transport is exercised in StreamSocketTest. */
        static class Recorder implements ReadTransport {
            final List<String> calls = new ArrayList<>();
            boolean reading = true;

            @Override public boolean isReading() { return reading; }
            @Override public void pauseReading() { reading = false; calls.add("pause"); }
            @Override public void resumeReading() { reading = true; calls.add("resume"); }
            @Override public void close() {}
            @Override public boolean isClosing() { return false; }
            @Override public Object getExtraInfo(String name) { return null; }
        }

        @Test
        void pausesAtTwiceTheLimitAndResumesAtTheLimit() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(10);
                Recorder t = new Recorder();
                r.setTransport(t);
                r.feedData(new byte[15]);
                assertTrue(t.calls.isEmpty());
                r.feedData(new byte[5]);
                assertEquals(List.of("pause"), t.calls);
                r.read(5); // 15 left, above the limit
                assertEquals(List.of("pause"), t.calls);
                r.read(5); // 10 left: at the limit
                assertEquals(List.of("pause", "resume"), t.calls);
            });
        }

        @Test
        void aReadThatMustWaitResumesAndTheBoundGrowsWithWhatItAsks() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(10);
                Recorder t = new Recorder();
                r.setTransport(t);
                r.feedData(new byte[20]);
                assertEquals(List.of("pause"), t.calls);
                Task<byte[]> big = Asyncio.createTask(() -> r.readExactly(50));
                Asyncio.sleep(0);
                assertEquals(List.of("pause", "resume"), t.calls);
                assertEquals(40, r.room()); // 50 asked + 10 limit - 20 held
                r.feedData(new byte[35]);   // 55 held: below 60, keeps reading
                assertEquals(List.of("pause", "resume"), t.calls);
                assertEquals(50, big.await().length);
                assertEquals(5, r.buffered());
                assertTrue(t.reading);
                assertEquals(15, r.room()); // back to 2 × limit
            });
        }

        @Test
        void aTransportThatCannotPauseIsForgotten() {
            StreamLoops.run(() -> {
                StreamReader r = new StreamReader(1);
                r.setTransport(new Recorder() {
                    @Override public void pauseReading() { throw new UnsupportedOperationException(); }
                });
                r.feedData(new byte[10]);
                r.feedData(new byte[10]);
                assertEquals(20, r.read(100).length);
            });
        }

        @Test
        void aSecondTransportIsRefused() {
            StreamReader r = new StreamReader();
            r.setTransport(new Recorder());
            assertThrows(IllegalStateException.class, () -> r.setTransport(new Recorder()));
        }
    }

    @Test
    void interleavedFeedsAndReadsKeepEveryByteInOrder() {
        StreamLoops.run(() -> {
            StreamReader r = new StreamReader(16);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            java.util.Random rnd = new java.util.Random(42);
            EventLoop loop = Asyncio.getRunningLoop();
            double t = 0;
            for (int i = 0; i < 300; i++) {
                byte[] chunk = new byte[rnd.nextInt(40)];
                rnd.nextBytes(chunk);
                expected.write(chunk);
                t += 0.001;
                loop.callLater(t, () -> r.feedData(chunk));
            }
            loop.callLater(t + 0.001, r::feedEof);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (true) {
                int kind = rnd.nextInt(3);
                byte[] part;
                if (kind == 0) {
                    part = r.read(1 + rnd.nextInt(50));
                } else if (kind == 1) {
                    try {
                        part = r.readExactly(1 + rnd.nextInt(50));
                    } catch (IncompleteReadException e) {
                        part = e.partial();
                    }
                } else {
                    try {
                        part = r.readUntil(new byte[] {(byte) rnd.nextInt(256)});
                    } catch (IncompleteReadException e) {
                        part = e.partial();
                    } catch (LimitOverrunException e) {
                        part = r.readExactly(e.consumed());
                    }
                }
                if (part.length == 0 && r.atEof()) {
                    break;
                }
                got.write(part);
            }
            assertArrayEquals(expected.toByteArray(), got.toByteArray());
        });
    }
}
