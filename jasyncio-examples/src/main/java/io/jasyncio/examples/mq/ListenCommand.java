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
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code mq listen CHANNEL}: prints each message of a channel as it arrives, one line each. */
@Command(name = "listen", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Listens to CHANNEL and prints each message as it arrives (as UTF-8 text, one line each),"
                + " until --count messages, the broker closes the connection, or Ctrl-C.", ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"  0:--count messages arrived, or (without --count) the broker closed the connection",
                "  1:the connection failed, or closed before --count messages",
                "  2:bad usage",
                "130:interrupted by Ctrl-C"})
public final class ListenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "The channel to listen to.")
    String channel;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Stop after N messages, 1 or more (default: never).")
    Integer count;

    @Option(names = "--host", paramLabel = "HOST", description = "The broker's host (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "The broker's port (default: ${DEFAULT-VALUE}).")
    int port = Mq.DEFAULT_PORT;

    @Option(names = "--max-frame", paramLabel = "BYTES", description = "The longest message accepted (default: ${DEFAULT-VALUE}).")
    int maxFrame = Frames.DEFAULT_MAX_FRAME;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Frames.encodeChannel(channel);
            if (channel.equals(Broker.SINK)) {
                throw new IllegalArgumentException(Broker.SINK + " is the sink: the broker never delivers on it, so"
                        + " listening to it would print nothing, ever");
            }
            if (count != null && count < 1) {
                throw new IllegalArgumentException("--count must be at least 1 (leave it out to listen until the broker"
                        + " closes the connection): " + count);
            }
            if (maxFrame < 1 || maxFrame > Frames.MAX_MAX_FRAME) {
                throw new IllegalArgumentException("--max-frame must be between 1 and " + Frames.MAX_MAX_FRAME + ": "
                        + maxFrame);
            }
        } catch (IllegalArgumentException e) {
            err.println("mq listen: " + e.getMessage());
            err.flush();
            return 2;
        }
        int[] received = {0};
        try {
            boolean closed = Mq.run(() -> {
                try (MqClient c = MqClient.connect(host, port, channel, maxFrame)) {
                    err.println("mq listen: listening to " + Frames.printable(channel) + " on " + host + ":" + port);
                    err.flush();
                    while (count == null || received[0] < count) {
                        byte[] msg = c.receive();
                        if (msg == null) {
                            return true;
                        }
                        received[0]++;
                        out.println(new String(msg, StandardCharsets.UTF_8));
                        out.flush();
                    }
                    return false;
                }
            });
            if (closed) {
                err.println("mq listen: the broker closed the connection after " + received[0]
                        + (received[0] == 1 ? " message" : " messages"));
                err.flush();
                return count == null ? 0 : 1;
            }
            return 0;
        } catch (KeyboardInterruptException e) {
            return e.exitStatus();
        } catch (IOException e) {
            err.println("mq listen: " + host + ":" + port + ": " + (e.getMessage() == null ? e.toString() : e.getMessage())
                    + " (after " + received[0] + (received[0] == 1 ? " message)" : " messages)"));
            err.flush();
            return 1;
        }
    }
}
