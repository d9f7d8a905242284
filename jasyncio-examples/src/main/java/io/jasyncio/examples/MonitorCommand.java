package io.jasyncio.examples;

import io.jasyncio.monitor.Monitor;
import io.jasyncio.monitor.MonitorClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./jasyncio monitor [HOST:PORT] [COMMAND...]}: the client of a process's live monitor. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Connect to the live monitor of a process started with --monitor (or -Djasyncio.monitor).",
                "With a command (ps, tree, where ID, cancel ID, signal NAME, json ...), run it and print the answer;",
                "without one, open an interactive session."})
final class MonitorCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST:PORT",
            description = "Where the monitor listens (default: 127.0.0.1:" + Monitor.DEFAULT_PORT + ").")
    String address = "127.0.0.1:" + Monitor.DEFAULT_PORT;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "A command to run; none for an interactive session.")
    List<String> command;

    @Override
    public Integer call() {
        try {
            if (command == null || command.isEmpty()) {
                MonitorClient.interact(address, System.in, System.out);
            } else {
                String answer = MonitorClient.request(address, String.join(" ", command));
                System.out.print(answer.endsWith("\n") ? answer : answer + "\n");
                return answer.startsWith("error:") || answer.startsWith("{\"error\"") ? 1 : 0;
            }
            return 0;
        } catch (IOException e) {
            System.err.println("monitor: cannot reach " + address + ": " + e.getMessage());
            return 1;
        }
    }
}
