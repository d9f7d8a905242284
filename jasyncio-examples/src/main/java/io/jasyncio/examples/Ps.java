package io.jasyncio.examples;

import io.jasyncio.monitor.ProcessTasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code ./jasyncio ps PID}: the tasks of another local JVM running jasyncio. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = {"Print the tasks of another local JVM running jasyncio, as a tree of who awaits whom.",
                "Reads them over JMX after attaching to the process (same user; like jcmd)."})
final class Ps implements Callable<Integer> {
    @Parameters(paramLabel = "PID", description = "The process id.")
    long pid;

    @Option(names = "--table", description = "One line per task instead of a tree.")
    boolean table;

    @Option(names = "--json", description = "JSON, for tools.")
    boolean json;

    @Override
    public Integer call() {
        try {
            System.out.print(ProcessTasks.read(pid, json ? ProcessTasks.View.JSON : table ? ProcessTasks.View.TABLE : ProcessTasks.View.TREE));
            if (json) {
                System.out.println();
            }
            return 0;
        } catch (IOException e) {
            System.err.println("ps: " + e.getMessage());
            return 1;
        }
    }
}
