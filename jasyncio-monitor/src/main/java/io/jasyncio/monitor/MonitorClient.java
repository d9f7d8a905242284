package io.jasyncio.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Talks to a {@link Monitor}: one command, or an interactive session on a terminal. */
public final class MonitorClient {
    private MonitorClient() {
    }

    /**
     * Sends one command and returns the answer.
     *
     * @param address the monitor, as {@code HOST:PORT} (see {@link Monitor#start(String)})
     * @param command the command, such as {@code ps} or {@code json tree}
     * @return the answer, without the prompt
     * @throws IOException if the monitor cannot be reached
     */
    public static String request(String address, String command) throws IOException {
        InetSocketAddress a = Monitor.parse(address);
        try (Socket s = new Socket(a.getAddress(), a.getPort())) {
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            readToPrompt(in);
            out.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = readToPrompt(in);
            out.write("quit\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            return answer;
        }
    }

    /**
     * An interactive session: lines from {@code in} go to the monitor, answers to {@code out},
     * until {@code quit} or the end of input.
     *
     * @param address the monitor
     * @param in commands
     * @param out answers
     * @throws IOException if the monitor cannot be reached
     */
    public static void interact(String address, InputStream in, PrintStream out) throws IOException {
        InetSocketAddress a = Monitor.parse(address);
        try (Socket s = new Socket(a.getAddress(), a.getPort())) {
            InputStream fromMonitor = s.getInputStream();
            OutputStream toMonitor = s.getOutputStream();
            out.print(readToPrompt(fromMonitor) + Monitor.prompt());
            out.flush();
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                toMonitor.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                toMonitor.flush();
                if (line.trim().equalsIgnoreCase("quit") || line.trim().equalsIgnoreCase("exit")) {
                    return;
                }
                out.print(readToPrompt(fromMonitor) + Monitor.prompt());
                out.flush();
            }
        }
    }

    /** Reads until the prompt (excluded) or the end of the stream. */
    private static String readToPrompt(InputStream in) throws IOException {
        byte[] prompt = Monitor.prompt().getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) != -1; ) {
            buf.write(b);
            matched = b == (prompt[matched] & 0xff) ? matched + 1 : (b == (prompt[0] & 0xff) ? 1 : 0);
            if (matched == prompt.length) {
                byte[] all = buf.toByteArray();
                return new String(all, 0, all.length - prompt.length, StandardCharsets.UTF_8);
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
