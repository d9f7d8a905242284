package io.jasyncio.examples;

import io.jasyncio.examples.cutlery.Cutlery;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** The launcher: {@code ./jasyncio NAME [options]} runs one of the books' programs. */
@Command(name = "jasyncio",
        mixinStandardHelpOptions = true,
        version = "jasyncio 0.1.0",
        description = {"The programs of the asyncio books, on jasyncio.",
                "With no program named, runs the default one (cutlery) on its embedded defaults."},
        subcommands = {Cutlery.class})
public final class Main implements Callable<Integer> {

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
