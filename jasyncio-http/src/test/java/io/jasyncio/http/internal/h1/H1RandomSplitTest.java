package io.jasyncio.http.internal.h1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random valid pipelined inputs, split at random points: the events must be those of the whole
 * input. {@code -Dh1.seed=N} replays one run; {@code -Djasyncio.stress.scale=K} runs K times more.
 */
@Timeout(60)
class H1RandomSplitTest {

    static final long BASE_SEED = Long.getLong("h1.seed", 20261208L);
    static final int RUNS = 300 * Integer.getInteger("jasyncio.stress.scale", 1);

    @Test
    void requestsSplitAnywhereGiveTheSameEvents() {
        for (int run = 0; run < RUNS; run++) {
            long seed = BASE_SEED + run;
            Random r = new Random(seed);
            StringBuilder in = new StringBuilder();
            int messages = 1 + r.nextInt(6);
            for (int m = 0; m < messages; m++) {
                in.append(request(r));
            }
            check(seed, r, in.toString(), true, messages);
        }
    }

    @Test
    void responsesSplitAnywhereGiveTheSameEvents() {
        for (int run = 0; run < RUNS; run++) {
            long seed = BASE_SEED + run;
            Random r = new Random(seed);
            StringBuilder in = new StringBuilder();
            int messages = 1 + r.nextInt(6);
            int heads = 0;
            for (int m = 0; m < messages; m++) {
                String one = response(r);
                heads += one.split("HTTP/1.1 ", -1).length - 1; // interim responses count
                in.append(one);
            }
            check(seed, r, in.toString(), false, heads);
        }
    }

    static void check(long seed, Random r, String input, boolean requests, int messages) {
        byte[] all = input.getBytes(StandardCharsets.ISO_8859_1);
        H1Parser whole = requests ? H1Parser.forRequests(H1Options.DEFAULT) : H1Parser.forResponses(H1Options.DEFAULT);
        List<String> expected = Feed.events(whole, List.of(all));
        assertEquals(messages, expected.stream().filter(e -> e.startsWith("END")).count(), "seed " + seed + ": " + expected);
        assertEquals(all.length, whole.offset());
        TreeSet<Integer> cuts = new TreeSet<>();
        int n = r.nextInt(Math.min(all.length, 40)) + 1;
        for (int i = 0; i < n; i++) {
            cuts.add(r.nextInt(all.length + 1));
        }
        List<byte[]> pieces = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            pieces.add(java.util.Arrays.copyOfRange(all, from, cut));
            from = cut;
        }
        pieces.add(java.util.Arrays.copyOfRange(all, from, all.length));
        H1Parser split = requests ? H1Parser.forRequests(H1Options.DEFAULT) : H1Parser.forResponses(H1Options.DEFAULT);
        assertEquals(expected, Feed.events(split, pieces), "seed " + seed + " cuts " + cuts);
        assertEquals(all.length, split.offset());
    }

    static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "M-SEARCH", "OPTIONS"};

    static String request(Random r) {
        StringBuilder sb = new StringBuilder();
        if (r.nextInt(5) == 0) {
            sb.append("\r\n");
        }
        String method = METHODS[r.nextInt(METHODS.length)];
        String target = method.equals("OPTIONS") && r.nextBoolean() ? "*" : "/" + word(r, 0, 30) + (r.nextBoolean() ? "?q=" + word(r, 1, 10) : "");
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        fields(r, sb);
        body(r, sb, true);
        return sb.toString();
    }

    static String response(Random r) {
        StringBuilder sb = new StringBuilder();
        int kind = r.nextInt(6);
        if (kind == 0) {
            sb.append("HTTP/1.1 100 Continue\r\n\r\n");
        }
        if (kind == 1) {
            sb.append("HTTP/1.1 204 No Content\r\n");
            fields(r, sb);
            return sb.append("\r\n").toString();
        }
        int status = 200 + r.nextInt(300);
        sb.append("HTTP/1.1 ").append(status == 204 || status == 304 ? 200 : status).append(' ').append(word(r, 0, 12)).append("\r\n");
        fields(r, sb);
        body(r, sb, false);
        return sb.toString();
    }

    static void fields(Random r, StringBuilder sb) {
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) {
            sb.append(r.nextBoolean() ? "Host" : "X-" + word(r, 1, 12)).append(':');
            sb.append(" ".repeat(r.nextInt(3))).append(word(r, 0, 40)).append(r.nextBoolean() ? "" : " \t").append("\r\n");
        }
    }

    /** A framed body (a response without framing would run to the close). */
    static void body(Random r, StringBuilder sb, boolean request) {
        switch (r.nextInt(3)) {
            case 0 -> sb.append(request ? "\r\n" : "Content-Length: 0\r\n\r\n");
            case 1 -> {
                String b = word(r, 0, 100);
                sb.append("Content-Length: ").append(b.length()).append("\r\n\r\n").append(b);
            }
            default -> {
                sb.append("Transfer-Encoding: chunked\r\n\r\n");
                int chunks = r.nextInt(5);
                for (int i = 0; i < chunks; i++) {
                    String b = word(r, 1, 40);
                    sb.append(Integer.toHexString(b.length()));
                    if (r.nextInt(3) == 0) {
                        sb.append(";ext=").append(r.nextBoolean() ? word(r, 1, 5) : "\"q; \\\"x\"");
                    }
                    sb.append("\r\n").append(b).append("\r\n");
                }
                sb.append("0\r\n");
                if (r.nextBoolean()) {
                    sb.append("Trailer-").append(word(r, 1, 5)).append(": ").append(word(r, 0, 10)).append("\r\n");
                }
                sb.append("\r\n");
            }
        }
    }

    static String word(Random r, int min, int max) {
        int n = min + r.nextInt(max - min + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }
}
