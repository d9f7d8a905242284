package io.jasyncio.examples;

import io.jasyncio.monitor.Monitor;
import io.jasyncio.monitor.MonitorClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./jasyncio monitor [HOST:PORT] [COMMAND...]}: the client of a process's live monitor. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Connect to the live monitor of a program started with --monitor (or -Djasyncio.monitor).",
                "With a command (ps, tree, loops, where ID, cancel ID, signal NAME, json COMMAND), run it and print"
                        + " the answer; without one, open an interactive session.",
                "The address is the first word unless that word is a command; by default $JASYNCIO_MONITOR,"
                        + " else 127.0.0.1:" + Monitor.DEFAULT_PORT + "."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the command succeeded", "1:the monitor answered with an error, or could not be reached",
                "2:bad usage"},
        footerHeading = "%nExamples:%n",
        footer = {"  ./jasyncio monitor tree",
                "  ./jasyncio monitor 127.0.0.1:20101 where 12",
                "  ./jasyncio monitor json ps"})
final class MonitorCommand implements Callable<Integer> {
    /** The environment variable naming the default monitor address. */
    static final String ADDRESS_ENV = "JASYNCIO_MONITOR";

    @Spec
    CommandSpec spec;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "The monitor's token, if it was started with one (default: $" + Monitor.TOKEN_ENV + ").")
    String token = System.getenv(Monitor.TOKEN_ENV);

    @Parameters(paramLabel = "[HOST:PORT] [COMMAND]", arity = "0..*",
            description = "Where the monitor listens, then a command to run; no command for an interactive session.")
    List<String> words = new ArrayList<>();

    /** @return the address a client uses when none is given */
    static String defaultAddress() {
        String env = System.getenv(ADDRESS_ENV);
        return env != null && !env.isBlank() ? env.trim() : "127.0.0.1:" + Monitor.DEFAULT_PORT;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> command = new ArrayList<>(words);
        String address = command.isEmpty() || MonitorClient.isCommand(command.get(0)) ? defaultAddress() : command.remove(0);
        try {
            if (command.isEmpty()) {
                MonitorClient.interact(address, token, System.in, new PrintStream(System.out, true));
                return 0;
            }
            String answer = MonitorClient.request(address, token, String.join(" ", command));
            if (answer.startsWith("error: ")) {
                err.println("monitor: " + answer.substring("error: ".length()).strip());
                err.flush();
                return 1;
            }
            out.print(answer.endsWith("\n") ? answer : answer + "\n");
            out.flush();
            return answer.startsWith("{\"error\"") ? 1 : 0;
        } catch (IllegalArgumentException e) {
            err.println("monitor: " + e.getMessage());
            err.flush();
            return 2;
        } catch (IOException | UncheckedIOException e) {
            err.println("monitor: cannot talk to the monitor at " + address + ": " + e.getMessage());
            err.flush();
            return 1;
        }
    }
}
