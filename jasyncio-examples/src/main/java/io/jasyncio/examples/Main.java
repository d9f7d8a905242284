package io.jasyncio.examples;

import io.jasyncio.examples.cutlery.Cutlery;
import io.jasyncio.examples.echo.Echo;
import io.jasyncio.examples.mq.Mq;
import io.jasyncio.examples.tcpcheck.TcpCheck;
import io.jasyncio.monitor.Monitor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.concurrent.Callable;

/** The launcher: {@code ./jasyncio NAME [options]} runs one of the books' programs. */
@Command(name = "jasyncio",
        mixinStandardHelpOptions = true,
        version = "jasyncio 0.1.0",
        description = {"The programs of the asyncio books, on jasyncio.",
                "With no program named, runs the default one (cutlery) on its embedded defaults."},
        subcommands = {Cutlery.class, Echo.class, TcpCheck.class, Mq.class, Ps.class, MonitorCommand.class})
public final class Main implements Callable<Integer> {

    /**
     * Starts the live monitor for the program about to run.
     *
     * @param address where it listens
     */
    @Option(names = "--monitor", arity = "0..1", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            fallbackValue = "127.0.0.1:" + Monitor.DEFAULT_PORT,
            description = "Serve a live monitor of the program's tasks (default 127.0.0.1:" + Monitor.DEFAULT_PORT
                    + "); connect with ./jasyncio monitor.")
    void monitor(String address) {
        Monitor m = Monitor.start(address);
        System.err.println("jasyncio monitor on " + m.address().getHostString() + ":" + m.address().getPort());
    }

    @Override
    public Integer call() {
        return new CommandLine(new Cutlery()).execute();
    }

    /**
     * Runs the launcher.
     *
     * @param args the program's name and options
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
