package io.jasyncio.examples.tcpcheck;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A one-line progress bar, redrawn in place on standard error at most ten times a second, and
 * erased before each result line and at the end.
 */
final class Progress {
    private static final int BAR = 30;
    private final PrintWriter err;
    private final int total;
    private final boolean on;
    private double lastDraw = Double.NEGATIVE_INFINITY;
    private boolean drawn;

    Progress(PrintWriter err, int total, boolean on) {
        this.err = err;
        this.total = total;
        this.on = on;
    }

    /**
     * Whether standard error is a terminal. Java has no isatty: on Linux the descriptor's link in
     * /proc says (a tty or a pseudo-terminal); elsewhere, whether the JVM has an interactive
     * console.
     */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception notLinux) {
            java.io.Console c = System.console();
            return c != null && c.isTerminal();
        }
    }

    /** Erases the bar, so that a result line can be printed. */
    void clear() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
            drawn = false;
        }
    }

    /**
     * Draws the bar: always if it is not on screen (a result line was just printed) or this is the
     * last update, else at most every 0.1 s.
     */
    void update(int done, int open, double now) {
        if (!on || (drawn && now - lastDraw < 0.1 && done < total)) {
            return;
        }
        lastDraw = now;
        int filled = total == 0 ? BAR : (int) ((long) done * BAR / total);
        err.print("\r[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] "
                + String.format(Locale.ROOT, "%3d%% %d/%d probes, %d open", total == 0 ? 100 : done * 100L / total, done, total, open));
        err.flush();
        drawn = true;
    }
}
