package io.jasyncio.examples.cutlery;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The cutlery case study of "Using Asyncio in Python" (chapter 2): waiter bots take knives and
 * forks from a shared kitchen to prepare a table and bring them back when they clear it. With the
 * bots on platform threads the unguarded counters lose updates and the stock drifts; with the bots
 * as tasks on one event loop, the same unguarded code is exact, because a task gives up control
 * only where it awaits.
 */
@Command(name = "cutlery", mixinStandardHelpOptions = true,
        description = {"Threads versus tasks sharing a kitchen: threads lose count, tasks do not.",
                "Each bot prepares and clears its tables in turn, taking and returning cutlery."})
public final class Cutlery implements Callable<Integer> {

    @Option(names = "--threads", description = "Run the bots as platform threads instead of tasks (shows the drift).")
    boolean threads;

    @Option(names = "--bots", paramLabel = "N", description = "Number of waiter bots (default: ${DEFAULT-VALUE}).")
    int bots = 10;

    @Option(names = "--tables", paramLabel = "N", description = "Tables each bot serves (default: ${DEFAULT-VALUE}).")
    int tables = 100_000;

    @Option(names = "--knives", paramLabel = "N", description = "Knives in the kitchen (default: ${DEFAULT-VALUE}).")
    int knives = 100;

    @Option(names = "--forks", paramLabel = "N", description = "Forks in the kitchen (default: ${DEFAULT-VALUE}).")
    int forks = 100;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--serve-time", paramLabel = "SECONDS",
            description = "How long a bot takes to serve a table, in seconds (default: ${DEFAULT-VALUE}: it only yields)."
                    + " A longer time leaves the program running, to look at with ./jasyncio ps or the monitor.")
    double serveTime;

    /** Cutlery held by the kitchen or a bot. The counters are deliberately unguarded. */
    public static final class Stock {
        // volatile: every += really reads and writes memory, so the race is the one in the book
        // (a read-modify-write that two threads interleave), not an artefact of the JIT.
        volatile int knives;
        volatile int forks;

        Stock(int knives, int forks) {
            this.knives = knives;
            this.forks = forks;
        }

        void give(Stock to, int k, int f) {
            change(-k, -f);
            to.change(k, f);
        }

        void change(int k, int f) {
            knives += k;
            forks += f;
        }

        @Override
        public String toString() {
            return "Stock(knives=" + knives + ", forks=" + forks + ")";
        }
    }

    /** What a run found. */
    public record Result(String mode, int bots, int tables, Stock before, int knivesAfter, int forksAfter, double seconds) {
        /** @return whether the kitchen got back exactly what it had */
        public boolean balanced() {
            return knivesAfter == before.knives && forksAfter == before.forks;
        }
    }

    @Override
    public Integer call() {
        if (bots < 1 || tables < 0 || knives < 0 || forks < 0 || !(serveTime >= 0)) {
            System.err.println("cutlery: --bots must be at least 1; --tables, --knives, --forks and --serve-time must not be negative");
            return 2;
        }
        Result r = threads ? withThreads(bots, tables, knives, forks) : withTasks(bots, tables, knives, forks, serveTime);
        print(r, System.out);
        return 0;
    }

    private static final String PREPARE = "prepare table";
    private static final String CLEAR = "clear table";

    /** The bots as platform threads sharing the kitchen. */
    public static Result withThreads(int bots, int tables, int knives, int forks) {
        Stock kitchen = new Stock(knives, forks);
        Stock before = new Stock(knives, forks);
        List<Thread> ts = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int b = 0; b < bots; b++) {
            BlockingQueue<String> jobs = new LinkedBlockingQueue<>();
            for (int i = 0; i < tables; i++) {
                jobs.add(PREPARE);
                jobs.add(CLEAR);
            }
            Stock mine = new Stock(0, 0);
            Thread t = Thread.ofPlatform().name("bot-" + b).unstarted(() -> {
                for (String job; (job = jobs.poll()) != null; ) {
                    serve(job, kitchen, mine);
                }
            });
            ts.add(t);
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return new Result("threads", bots, tables, before, kitchen.knives, kitchen.forks, (System.nanoTime() - t0) / 1e9);
    }

    /** The bots as tasks on one event loop, yielding to each other after every job. */
    public static Result withTasks(int bots, int tables, int knives, int forks) {
        return withTasks(bots, tables, knives, forks, 0);
    }

    /** The bots as tasks, each taking {@code serveTime} seconds to serve a table. */
    public static Result withTasks(int bots, int tables, int knives, int forks, double serveTime) {
        Stock kitchen = new Stock(knives, forks);
        Stock before = new Stock(knives, forks);
        long t0 = System.nanoTime();
        Asyncio.run(() -> {
            List<Task<Void>> ts = new ArrayList<>();
            for (int b = 0; b < bots; b++) {
                ts.add(Asyncio.createTask("bot-" + b, () -> {
                    Stock mine = new Stock(0, 0);
                    for (int i = 0; i < tables; i++) {
                        serve(PREPARE, kitchen, mine);
                        Asyncio.sleep(serveTime); // serve the table: the other bots get the loop
                        serve(CLEAR, kitchen, mine);
                        Asyncio.sleep(0);
                    }
                }));
            }
            Asyncio.gather(ts).await();
        });
        return new Result("tasks", bots, tables, before, kitchen.knives, kitchen.forks, (System.nanoTime() - t0) / 1e9);
    }

    private static void serve(String job, Stock kitchen, Stock bot) {
        if (job.equals(PREPARE)) {
            kitchen.give(bot, 4, 4);
        } else {
            bot.give(kitchen, 4, 4);
        }
    }

    void print(Result r, PrintStream out) {
        if (json) {
            out.printf(Locale.ROOT, "{\"mode\":\"%s\",\"bots\":%d,\"tables\":%d,\"before\":{\"knives\":%d,\"forks\":%d},"
                            + "\"after\":{\"knives\":%d,\"forks\":%d},\"balanced\":%b,\"seconds\":%.3f}%n",
                    r.mode(), r.bots(), r.tables(), r.before().knives, r.before().forks,
                    r.knivesAfter(), r.forksAfter(), r.balanced(), r.seconds());
            return;
        }
        long jobs = 2L * r.bots() * r.tables();
        out.printf(Locale.ROOT, "%d bots as %s, %,d tables each (%,d jobs)%n", r.bots(),
                r.mode().equals("tasks") ? "tasks on one event loop" : "platform threads", r.tables(), jobs);
        out.println("Kitchen inventory before service: " + r.before());
        out.printf("Kitchen inventory after service:  Stock(knives=%d, forks=%d)%n", r.knivesAfter(), r.forksAfter());
        if (r.balanced()) {
            out.println("Balanced: yes, every knife and fork is back.");
        } else {
            out.printf(Locale.ROOT, "Balanced: NO, knives off by %+d, forks off by %+d: the threads lost updates to the shared counters.%n",
                    r.knivesAfter() - r.before().knives, r.forksAfter() - r.before().forks);
        }
        out.printf(Locale.ROOT, "Took %.2f s.%n", r.seconds());
    }
}
