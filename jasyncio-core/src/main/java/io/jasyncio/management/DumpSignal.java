package io.jasyncio.management;

/**
 * Prints every loop's task tree to standard error when the process receives a signal. SIGQUIT,
 * the usual "dump" signal, belongs to the JVM (it prints the JVM's own thread dump and Java code
 * cannot handle it), so jasyncio uses the signal named by {@code -Djasyncio.dumpSignal}, USR1 in
 * the project's launcher: {@code kill -USR1 PID}.
 */
final class DumpSignal {
    private DumpSignal() {
    }

    @SuppressWarnings("restricted")
    static void install(String name) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> System.err.print("jasyncio task dump (SIG" + name + "):\n" + Management.trees()));
        } catch (IllegalArgumentException | LinkageError e) {
            System.getLogger("io.jasyncio").log(System.Logger.Level.WARNING, "cannot dump tasks on SIG" + name + ": " + e.getMessage());
        }
    }
}
