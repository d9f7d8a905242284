package io.jasyncio.bench;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.http.client.ClientResponse;
import io.jasyncio.http.client.ClientSession;
import io.jasyncio.http.client.ClientTimeout;
import io.jasyncio.http.client.ConnectorOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The HTTP client benchmark of the shared harness ({@code http/client-run.sh}): fetch N responses
 * from URL with C requests in flight over at most C keep-alive connections, after WARM_N unrecorded
 * ones, as {@code http/py_client.py} does: one {@link ClientSession} whose pool has limit C, C tasks
 * each looping {@code try (r = session.get(url)) { r.read(); }}. Prints one JSON line:
 * {@code {"n","warm_n","conns","secs","rps","p50_us","p99_us","errors"}}.
 *
 * <pre>usage: HttpBenchClient URL N C [WARM_N [MAX_SECS]]
 *        HttpBenchClient --idle-memory URL CONNS   (heap per idle pooled connection)</pre>
 */
public final class HttpBenchClient {
    private HttpBenchClient() {
    }

    private static int left;
    private static int errors;

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("--idle-memory")) {
            idleMemory(args[1], Integer.parseInt(args[2]));
            return;
        }
        if (args.length < 3) {
            System.err.println("usage: HttpBenchClient URL N C [WARM_N [MAX_SECS]]");
            System.exit(2);
        }
        String url = args[0];
        int n = Integer.parseInt(args[1]);
        int c = Integer.parseInt(args[2]);
        int warm = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        double maxSecs = args.length > 4 ? Double.parseDouble(args[4]) : 600;
        String line = Asyncio.run(() -> Asyncio.waitFor(() -> {
            try (ClientSession session = ClientSession.builder()
                    .connector(ConnectorOptions.builder().limit(c).build())
                    .timeout(ClientTimeout.DEFAULT).build()) {
                if (warm > 0) {
                    run(session, url, warm, c, null);
                }
                long[] lat = new long[n];
                errors = 0;
                double secs = run(session, url, n, c, lat);
                Arrays.sort(lat);
                return String.format(Locale.ROOT,
                        "{\"n\":%d,\"warm_n\":%d,\"conns\":%d,\"secs\":%.4f,\"rps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"errors\":%d}",
                        n, warm, c, secs, n / secs, lat[n / 2] / 1e3, lat[Math.min(n - 1, n * 99 / 100)] / 1e3, errors);
            }
        }, maxSecs));
        System.out.println(line);
    }

    /** n requests, c in flight; returns the elapsed seconds; lat gets each request's nanoseconds. */
    private static double run(ClientSession session, String url, int n, int c, long[] lat) {
        left = n;
        int[] next = {0};
        List<Task<Void>> workers = new ArrayList<>(c);
        long t0 = System.nanoTime();
        for (int i = 0; i < c; i++) {
            workers.add(Asyncio.createTask(() -> {
                while (left > 0) {
                    left--;
                    long t = System.nanoTime();
                    try (ClientResponse r = session.get(url)) {
                        r.read();
                        if (r.status() != 200) {
                            throw new IllegalStateException("status " + r.status());
                        }
                    } catch (Exception e) {
                        if (errors++ == 0) {
                            System.err.println("first error: " + e);
                        }
                    }
                    if (lat != null) {
                        lat[next[0]++] = System.nanoTime() - t;
                    }
                }
            }));
        }
        Asyncio.gather(workers).await();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Opens CONNS connections (CONNS requests at once), lets them go idle, and reports the heap they take. */
    private static void idleMemory(String url, int conns) {
        Asyncio.run(() -> {
            try (ClientSession session = ClientSession.builder()
                    .connector(ConnectorOptions.builder().limit(conns + 1).keepAliveTimeout(600).build()).build()) {
                long before = usedHeap();
                List<Task<Void>> all = new ArrayList<>();
                for (int i = 0; i < conns; i++) {
                    all.add(Asyncio.createTask(() -> {
                        try (ClientResponse r = session.get(url)) {
                            r.read();
                        }
                        return null;
                    }));
                }
                Asyncio.gather(all).await();
                all.clear();
                long after = usedHeap();
                System.out.printf(Locale.ROOT, "{\"idle\":%d,\"heap_bytes_per_idle_connection\":%.0f}%n",
                        session.idleConnections(), (after - before) / (double) session.idleConnections());
            }
        });
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
