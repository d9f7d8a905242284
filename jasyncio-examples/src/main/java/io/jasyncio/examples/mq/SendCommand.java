package io.jasyncio.examples.mq;

import io.jasyncio.Asyncio;
import io.jasyncio.KeyboardInterruptException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mq send CHANNEL MESSAGE...}: a pure sender. It listens to {@link Broker#SINK} (the
 * books' sender does the same: the broker never delivers on it), publishes each message, then
 * half-closes and waits for the broker to close, so that when it exits every message has been
 * routed.
 */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publishes each MESSAGE (UTF-8 text) to CHANNEL, in order, then waits until the broker has"
                + " routed them all. A sender listens to " + Broker.SINK + ", on which the broker never delivers.",
                ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"  0:every message reached the broker",
                "  1:the connection failed",
                "  2:bad usage (an empty or too long channel name)"})
public final class SendCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "Where to publish: /queue... goes to one listener, anything else to all.")
    String channel;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "MESSAGE", description = "The messages, one frame each.")
    List<String> messages;

    @Option(names = "--host", paramLabel = "HOST", description = "The broker's host (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "The broker's port (default: ${DEFAULT-VALUE}).")
    int port = Mq.DEFAULT_PORT;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Frames.encodeChannel(channel);
        } catch (IllegalArgumentException e) {
            err.println("mq send: " + e.getMessage());
            err.flush();
            return 2;
        }
        try {
            Mq.run(() -> {
                try (MqClient c = MqClient.connect(host, port, Broker.SINK)) {
                    for (String m : messages) {
                        c.publish(channel, m);
                    }
                    c.finish();
                }
            });
        } catch (KeyboardInterruptException e) {
            return e.exitStatus();
        } catch (IOException e) {
            err.println("mq send: " + host + ":" + port + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.flush();
            return 1;
        }
        err.println("mq send: " + messages.size() + (messages.size() == 1 ? " message" : " messages") + " sent to "
                + Frames.printable(channel));
        err.flush();
        return 0;
    }
}
