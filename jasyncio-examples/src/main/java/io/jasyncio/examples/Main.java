package io.jasyncio.examples;

import io.jasyncio.examples.cutlery.Cutlery;
import io.jasyncio.examples.echo.Echo;
import io.jasyncio.examples.http.HttpServe;
import io.jasyncio.examples.mq.Mq;
import io.jasyncio.examples.tcpcheck.TcpCheck;
import io.jasyncio.monitor.Monitor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;

/** The launcher: {@code ./jasyncio NAME [options]} runs one of the books' programs. */
@Command(name = "jasyncio",
        mixinStandardHelpOptions = true,
        version = "jasyncio 0.1.0",
        description = {"The programs of the asyncio books, on jasyncio.",
                "With no program named, runs the default one (cutlery) on its embedded defaults.",
                "./jasyncio help NAME (or ./jasyncio NAME --help) describes one."},
        subcommands = {Cutlery.class, Echo.class, HttpServe.class, TcpCheck.class, Mq.class, Ps.class, MonitorCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    /** The programs that run event loops, so a live monitor applies to them (with their subcommands). */
    static final List<String> MONITORED = List.of("cutlery", "echo", "tcpcheck", "mq");

    /** The usage help's width at most; picocli narrows it to the terminal's. */
    private static final int HELP_WIDTH = 120;

    /** What --monitor and --monitor-token asked for, on whichever command they were given. */
    private String monitorAddress;
    private String monitorToken = System.getenv(Monitor.TOKEN_ENV);

    @Override
    public Integer call() {
        return new CommandLine(new Cutlery()).execute();
    }

    /**
     * The launcher's command line: the programs, {@code help}, and {@code --monitor} on the
     * programs that run loops.
     *
     * @return a command line ready to execute
     */
    public static CommandLine commandLine() {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        for (String name : MONITORED) {
            main.addMonitorOptions(cl.getSubcommands().get(name));
        }
        keepExamplesWhole(cl);
        cl.setUsageHelpAutoWidth(true);
        cl.setUsageHelpWidth(HELP_WIDTH);
        cl.setExecutionStrategy(main::execute);
        cl.setParameterExceptionHandler(Main::usageError);
        return cl;
    }

    /**
     * Prints the footer's example lines (those indented by two spaces) as they are, so that a
     * narrow terminal never breaks a command in two; the footer's prose still wraps.
     */
    private static void keepExamplesWhole(CommandLine c) {
        c.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> {
            StringBuilder sb = new StringBuilder();
            int width = help.commandSpec().usageMessage().width();
            for (String line : help.commandSpec().usageMessage().footer()) {
                String text = String.format(line);
                if (text.startsWith("  ")) {
                    sb.append(text).append(System.lineSeparator());
                } else {
                    CommandLine.Help.TextTable t = CommandLine.Help.TextTable.forColumns(help.colorScheme(),
                            new CommandLine.Help.Column(width, 0, CommandLine.Help.Column.Overflow.WRAP));
                    t.addRowValues(text);
                    sb.append(t);
                }
            }
            return sb.toString();
        });
        for (CommandLine sub : c.getSubcommands().values()) {
            keepExamplesWhole(sub);
        }
    }

    private void addMonitorOptions(CommandLine c) {
        c.getCommandSpec().addOption(OptionSpec.builder("--monitor")
                .arity("0..1").paramLabel("HOST:PORT").fallbackValue(" ")
                .description("Serve a live monitor of this program's tasks (default: $" + MonitorCommand.ADDRESS_ENV
                        + ", else 127.0.0.1:" + Monitor.DEFAULT_PORT + "); query it with ./jasyncio monitor.")
                .setter(new CommandLine.Model.ISetter() {
                    @Override
                    public <T> T set(T value) {
                        monitorAddress = (String) value;
                        return null;
                    }
                }).build());
        c.getCommandSpec().addOption(OptionSpec.builder("--monitor-token")
                .arity("1").paramLabel("TOKEN")
                .description("Make monitor clients send this token first (default: $" + Monitor.TOKEN_ENV + ").")
                .setter(new CommandLine.Model.ISetter() {
                    @Override
                    public <T> T set(T value) {
                        monitorToken = (String) value;
                        return null;
                    }
                }).build());
        for (CommandLine sub : c.getSubcommands().values()) {
            addMonitorOptions(sub);
        }
    }

    /** Refuses an unknown program even next to --help, starts the monitor if asked, then runs the command. */
    private int execute(ParseResult parsed) {
        CommandLine cl = parsed.commandSpec().commandLine();
        PrintWriter err = cl.getErr();
        ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        if (!last.unmatched().isEmpty()) {
            String word = last.unmatched().get(0);
            boolean program = last == parsed && !word.startsWith("-");
            err.println("jasyncio: " + (program ? "no program named '" + word + "'" : "unknown argument '" + word + "'")
                    + " (./jasyncio help lists the programs)");
            err.flush();
            return 2;
        }
        if (monitorAddress != null && !parsed.isUsageHelpRequested() && !anyHelp(parsed)) {
            String address = monitorAddress.isBlank() ? MonitorCommand.defaultAddress() : monitorAddress.trim();
            try {
                Monitor m = Monitor.start(address, monitorToken);
                // Off loopback the monitor has logged its warning (exposureWarning()) already.
                err.println("jasyncio monitor on " + address(m) + (m.requiresToken() ? " (token required)" : "")
                        + (m.exposureWarning() == null ? "" : " (not loopback: reachable from elsewhere)"));
                err.flush();
            } catch (IllegalArgumentException | UncheckedIOException e) {
                err.println("jasyncio: --monitor: " + e.getMessage());
                err.flush();
                return e instanceof IllegalArgumentException ? 2 : 1;
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /** A usage error in one line (and picocli's suggestions, if any), not the whole help. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine c = e.getCommandLine();
        PrintWriter err = c.getErr();
        String name = c.getCommandSpec().qualifiedName(" ");
        err.println(name + ": " + e.getMessage());
        if (e instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) {
                err.println("Did you mean: " + String.join(", ", suggestions) + "?");
            }
        }
        String help = c.getCommandSpec().parent() == null ? "./jasyncio help"
                : "./jasyncio help " + c.getCommandSpec().qualifiedName(" ").replaceFirst("^jasyncio ", "");
        err.println("(" + help + " says more)");
        err.flush();
        return 2;
    }

    private static boolean anyHelp(ParseResult p) {
        for (ParseResult r = p; r != null; r = r.hasSubcommand() ? r.subcommand() : null) {
            if (r.isUsageHelpRequested() || r.isVersionHelpRequested()) {
                return true;
            }
        }
        return false;
    }

    private static String address(Monitor m) {
        String h = m.address().getHostString();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + m.address().getPort();
    }

    /**
     * Runs the launcher.
     *
     * @param args the program's name and options
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
