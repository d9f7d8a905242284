package io.jasyncio.http.internal.h1;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bounded mutation fuzzer over the parser ({@link H1Fuzz} is the target): the llhttp corpus's
 * inputs are the seeds; each iteration takes a seed (or a previous mutant) and flips, overwrites,
 * inserts, deletes, duplicates or splices bytes, biased towards HTTP's own tokens, then runs it
 * through a request parser and a response parser cut in one of several ways. In the build it runs
 * a fixed number of iterations ({@code -Dhttp.fuzz.iterations}, 20,000 by default) from a fixed seed
 * ({@code -Dhttp.fuzz.seed}); for a longer run, raise the count (see docs/http.md). A failure names
 * the seed, the iteration and the input in base64, to replay with {@link #replay}.
 *
 * <p>Jazzer was tried first (com.code-intelligence:jazzer-junit 0.24.0 resolves and starts on JDK 25)
 * but its bundled ASM cannot read Java 25 class files ("Unsupported class file major version 69"),
 * so it instruments nothing and fuzzes blind; see docs/http.md.
 */
@Timeout(600)
class H1ParserFuzzTest {
    private static final String[] TOKENS = {"\r\n", "\n", "\r", " ", "\t", ":", ";", ",", "0", "1", "f", "ff",
        "-1", "99999999999999999999", "Content-Length: ", "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked",
        "Connection: close\r\n", "Connection: keep-alive, upgrade\r\n", "Upgrade: h2c\r\n", "Expect: 100-continue\r\n",
        "\r\n\r\n", "0\r\n\r\n", "5\r\nhello\r\n", "HTTP/1.1 ", "HTTP/1.0 200 OK\r\n", "GET / HTTP/1.1\r\n",
        "CONNECT a:443 HTTP/1.1\r\n", "HEAD ", "Host: a\r\n", "%2e%2e", "\0", "\u00ff", "a=b; ext=\"q\"", "x".repeat(600)};

    static List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        for (LlhttpCorpusTest.Case c : LlhttpCorpusTest.CASES) {
            out.add(c.raw());
        }
        return out;
    }

    @Test
    void everyCorpusInputCutEveryWayNeitherCrashesNorHangsNorHoardsOnEitherSide() {
        List<byte[]> seeds = seeds();
        assertTrue(seeds.size() > 100, "the llhttp corpus is missing: " + seeds.size());
        for (byte[] s : seeds) {
            for (int mode = 0; mode < 16; mode++) {
                check(withMode(mode, s), "corpus", 0);
            }
        }
    }

    @Test
    void mutatedCorpusInputsNeitherCrashNorHangNorHoard() {
        long seed = Long.getLong("http.fuzz.seed", 14L);
        int iterations = Integer.getInteger("http.fuzz.iterations", 20_000);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> pool = seeds();
        int seedCount = pool.size();
        for (int i = 0; i < iterations; i++) {
            byte[] base = pool.get(rnd.nextInt(pool.size()));
            byte[] m = base;
            int rounds = 1 + rnd.nextInt(4);
            for (int r = 0; r < rounds; r++) {
                m = mutate(m, rnd, pool);
            }
            byte[] input = withMode(rnd.nextInt(256), m);
            check(input, "seed " + seed, i);
            if (pool.size() < seedCount + 2_000 && rnd.nextInt(8) == 0) {
                pool.add(m); // mutants breed: a crude stand-in for coverage feedback
            }
        }
    }

    /** Runs one input (its first byte is the mode) as a request and as a response; a failure says how to replay it. */
    static void check(byte[] input, String seed, int iteration) {
        for (boolean requests : new boolean[] {true, false}) {
            try {
                H1Fuzz.run(input, requests);
            } catch (Throwable t) {
                throw new AssertionError((requests ? "request" : "response") + " parser failed (" + seed + ", iteration "
                        + iteration + "), replay with H1ParserFuzzTest.replay(\"" + Base64.getEncoder().encodeToString(input)
                        + "\"): " + t, t);
            }
        }
    }

    /** Runs an input a failure printed, in both modes. */
    static void replay(String base64) {
        check(Base64.getDecoder().decode(base64), "replay", 0);
    }

    private static byte[] withMode(int mode, byte[] body) {
        byte[] b = new byte[body.length + 1];
        b[0] = (byte) mode;
        System.arraycopy(body, 0, b, 1, body.length);
        return b;
    }

    private static byte[] mutate(byte[] in, SplittableRandom rnd, List<byte[]> pool) {
        int len = in.length;
        switch (rnd.nextInt(8)) {
            case 0 -> { // flip a bit
                if (len == 0) {
                    return in;
                }
                byte[] b = in.clone();
                int at = rnd.nextInt(len);
                b[at] ^= (byte) (1 << rnd.nextInt(8));
                return b;
            }
            case 1 -> { // overwrite a byte with anything
                if (len == 0) {
                    return in;
                }
                byte[] b = in.clone();
                b[rnd.nextInt(len)] = (byte) rnd.nextInt(256);
                return b;
            }
            case 2, 3 -> { // insert an HTTP token
                return insert(in, rnd.nextInt(len + 1), TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.ISO_8859_1));
            }
            case 4 -> { // delete a range
                if (len == 0) {
                    return in;
                }
                int from = rnd.nextInt(len);
                int n = 1 + rnd.nextInt(Math.min(16, len - from));
                byte[] b = new byte[len - n];
                System.arraycopy(in, 0, b, 0, from);
                System.arraycopy(in, from + n, b, from, len - from - n);
                return b;
            }
            case 5 -> { // duplicate a range (repeated headers, repeated messages)
                if (len == 0) {
                    return in;
                }
                int from = rnd.nextInt(len);
                int n = 1 + rnd.nextInt(Math.min(64, len - from));
                byte[] piece = new byte[n];
                System.arraycopy(in, from, piece, 0, n);
                return insert(in, from, piece);
            }
            case 6 -> { // splice: this input's head, another's tail (pipelining, mixed framing)
                byte[] other = pool.get(rnd.nextInt(pool.size()));
                int cut = rnd.nextInt(len + 1);
                int from = rnd.nextInt(other.length + 1);
                byte[] b = new byte[cut + other.length - from];
                System.arraycopy(in, 0, b, 0, cut);
                System.arraycopy(other, from, b, cut, other.length - from);
                return b.length > 64 * 1024 ? in : b;
            }
            default -> { // truncate
                return len == 0 ? in : java.util.Arrays.copyOf(in, rnd.nextInt(len));
            }
        }
    }

    private static byte[] insert(byte[] in, int at, byte[] what) {
        if (in.length + what.length > 64 * 1024) {
            return in;
        }
        byte[] b = new byte[in.length + what.length];
        System.arraycopy(in, 0, b, 0, at);
        System.arraycopy(what, 0, b, at, what.length);
        System.arraycopy(in, at, b, at + what.length, in.length - at);
        return b;
    }
}
