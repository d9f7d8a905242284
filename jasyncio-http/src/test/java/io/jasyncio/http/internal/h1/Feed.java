package io.jasyncio.http.internal.h1;

import io.jasyncio.http.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test driver: feeds pieces to a parser and writes its events down as text. */
final class Feed {
    private Feed() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The events for {@code pieces} fed in order, as strings: {@code HEAD GET /x HTTP/1.1 [..]},
     * {@code BODY text} (consecutive bodies merged), {@code END [trailers]}, {@code UPGRADE@offset},
     * {@code CLOSED}. Parse errors propagate.
     */
    static List<String> events(H1Parser p, List<byte[]> pieces) {
        List<String> out = new ArrayList<>();
        StringBuilder body = null;
        outer:
        for (byte[] piece : pieces) {
            ByteBuffer in = ByteBuffer.wrap(piece);
            for (;;) {
                H1Parser.Event ev = p.next(in);
                if (ev != H1Parser.Event.BODY && ev != H1Parser.Event.NEED_DATA && body != null) {
                    out.add("BODY " + body);
                    body = null;
                }
                switch (ev) {
                    case NEED_DATA -> {
                        continue outer;
                    }
                    case HEAD -> out.add(head(p));
                    case BODY -> {
                        ByteBuffer b = p.body();
                        byte[] a = new byte[b.remaining()];
                        b.duplicate().get(a);
                        if (body == null) {
                            body = new StringBuilder();
                        }
                        body.append(new String(a, StandardCharsets.ISO_8859_1));
                    }
                    case END -> out.add("END " + p.trailers());
                    case UPGRADE -> {
                        out.add("UPGRADE@" + p.offset());
                        return out;
                    }
                    case CLOSED -> {
                        out.add("CLOSED");
                        return out;
                    }
                }
            }
        }
        if (body != null) {
            out.add("BODY " + body);
        }
        return out;
    }

    static List<String> events(H1Parser p, String input) {
        return events(p, List.of(bytes(input)));
    }

    static List<String> oneByteAtATime(H1Parser p, String input) {
        List<byte[]> pieces = new ArrayList<>();
        for (byte b : bytes(input)) {
            pieces.add(new byte[] {b});
        }
        return events(p, pieces);
    }

    static String head(H1Parser p) {
        if (p.requestHead() != null) {
            var h = p.requestHead();
            return "HEAD " + h.method() + " " + h.target() + " " + h.version() + " " + h.headers();
        }
        var h = p.responseHead();
        return "HEAD " + h.version() + " " + h.status() + " " + h.reason() + " " + h.headers();
    }

    static Headers headers(String... nv) {
        return Headers.of(nv);
    }
}
