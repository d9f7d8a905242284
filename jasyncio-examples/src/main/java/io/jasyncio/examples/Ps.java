package io.jasyncio.examples;

import io.jasyncio.monitor.ProcessTasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./jasyncio ps PID...}: the tasks of other local JVMs running jasyncio. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = {"Print the tasks of other local JVMs running jasyncio, as a tree of who awaits whom.",
                "Reads them over JMX after attaching to each process (same user; like jcmd).",
                "With several PIDs, each process's tasks follow a line '== PID N ==' (with --json: one line"
                        + " {\"pid\":N,\"loops\":[...]} per process)."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every process was read", "1:some process could not be read (said on standard error)",
                "2:bad usage"},
        footerHeading = "%nExample:%n",
        footer = "  ./jasyncio ps $(pgrep -f examples.Main)")
final class Ps implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PID", arity = "1..*", description = "Process ids.")
    List<Long> pids;

    @Option(names = "--table", description = "One line per task instead of a tree.")
    boolean table;

    @Option(names = "--json", description = "JSON, for tools.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProcessTasks.View view = json ? ProcessTasks.View.JSON : table ? ProcessTasks.View.TABLE : ProcessTasks.View.TREE;
        boolean several = pids.size() > 1;
        int status = 0;
        for (long pid : pids) {
            try {
                String tasks = ProcessTasks.read(pid, view);
                if (json) {
                    out.println(several ? "{\"pid\":" + pid + ",\"loops\":" + tasks.strip() + "}" : tasks.strip());
                } else {
                    if (several) {
                        out.println("== PID " + pid + " ==");
                    }
                    out.print(tasks.endsWith("\n") || tasks.isEmpty() ? tasks : tasks + "\n");
                }
                out.flush();
            } catch (IOException e) {
                err.println("ps: " + e.getMessage());
                err.flush();
                status = 1;
            }
        }
        return status;
    }
}
