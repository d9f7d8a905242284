package io.jasyncio.http.internal.h1;

import io.jasyncio.http.HttpParseException;
import java.nio.ByteBuffer;

/**
 * The fuzz target over {@link H1Parser}, shared by {@link H1ParserFuzzTest}'s Jazzer targets and
 * its own mutation loop. The input's first byte picks how the rest is cut into pieces (down to
 * one byte at a time) and, for responses, the request method they answer; the rest is fed to a
 * parser with small limits. It fails (an {@link AssertionError} or any exception that is not an
 * {@link HttpParseException}) on a crash, on a call that makes no progress, or when the bytes the
 * parser keeps for a partial line exceed the configured limits.
 */
final class H1Fuzz {
    /** Small limits, so that the fuzzer reaches each of them. */
    static final H1Options OPTIONS = H1Options.builder().maxStartLineLength(512).maxHeaderLineLength(512)
            .maxHeaderCount(16).maxHeadSize(2048).maxChunkLineLength(128).build();
    /** The most the line buffer may hold: its initial 256 bytes, or the longest line allowed. */
    static final int RETAINED_BOUND = Math.max(256, Math.max(Math.max(OPTIONS.maxStartLineLength(), OPTIONS.maxHeaderLineLength()), OPTIONS.maxChunkLineLength()));
    private static final String[] METHODS = {"GET", "HEAD", "CONNECT", "POST"};

    private H1Fuzz() {
    }

    /** Runs one input through a request parser ({@code requests}) or a response parser. */
    static void run(byte[] data, boolean requests) {
        if (data.length == 0) {
            return;
        }
        int mode = data[0] & 0xff;
        H1Parser p = requests ? H1Parser.forRequests(OPTIONS) : H1Parser.forResponses(OPTIONS);
        if (!requests) {
            p.expectResponseTo(METHODS[mode & 3]);
        }
        int piece = switch (mode >> 2 & 3) {
            case 0 -> 1;
            case 1 -> 7;
            case 2 -> 64;
            default -> Integer.MAX_VALUE;
        };
        try {
            int pos = 1;
            while (pos < data.length) {
                int n = Math.min(piece, data.length - pos);
                ByteBuffer in = ByteBuffer.wrap(data, pos, n);
                if (!feed(p, in, requests)) {
                    return;
                }
                pos += n - in.remaining();
                if (in.hasRemaining()) {
                    return; // stopped at CLOSED or UPGRADE: the rest is not HTTP
                }
            }
            p.endOfInput();
        } catch (HttpParseException expected) {
            // a refusal is the right answer to bad input
        }
    }

    /** Feeds one piece until the parser needs more; false once it has stopped for good. */
    private static boolean feed(H1Parser p, ByteBuffer in, boolean requests) {
        int calls = 0;
        int bound = 4 * in.remaining() + 16;
        for (;;) {
            if (++calls > bound) {
                throw new AssertionError("no progress: " + calls + " calls on a piece of " + in.limit() + " bytes");
            }
            int before = in.position();
            H1Parser.Event ev = p.next(in);
            if (p.retainedLineCapacity() > RETAINED_BOUND) {
                throw new AssertionError("the parser holds " + p.retainedLineCapacity() + " bytes for a line");
            }
            switch (ev) {
                case NEED_DATA -> {
                    if (in.hasRemaining()) {
                        throw new AssertionError("NEED_DATA with " + in.remaining() + " bytes left");
                    }
                    return true;
                }
                case HEAD -> {
                    if (requests) {
                        p.requestHead().headers().size();
                    } else {
                        p.responseHead().headers().size();
                    }
                }
                case BODY -> {
                    if (p.body().remaining() == 0 || in.position() == before) {
                        throw new AssertionError("an empty BODY event");
                    }
                }
                case END -> p.trailers();
                case UPGRADE -> {
                    if (requests) {
                        p.resumeHttp();
                    } else {
                        return false;
                    }
                }
                case CLOSED -> {
                    return false;
                }
            }
        }
    }
}
