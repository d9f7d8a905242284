package io.jasyncio.monitor;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Talks to a {@link Monitor}: one command, or an interactive session on a terminal. aiomonitor's
 * client ({@code python -m aiomonitor.cli}) plays this part for asyncio.
 */
public final class MonitorClient {
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int ANSWER_TIMEOUT_MS = 30_000;
    private static final Set<String> COMMANDS = Set.of("help", "?", "loops", "ps", "tree", "pstree", "where", "cancel",
            "signal", "json", "auth", "quit", "exit");

    private MonitorClient() {
    }

    /**
     * Whether {@code word} is the first word of a monitor command ({@code ps}, {@code tree},
     * {@code json}...), so a command line can tell a command from an address.
     *
     * @param word a word
     * @return whether it names a command
     */
    public static boolean isCommand(String word) {
        return word != null && COMMANDS.contains(word.toLowerCase(Locale.ROOT));
    }

    /**
     * Sends one command and returns the answer.
     *
     * @param address the monitor, as {@code HOST:PORT} (see {@link Monitor#start(String)})
     * @param command the command, such as {@code ps} or {@code json tree}
     * @return the answer, without the prompt
     * @throws IOException if the monitor cannot be reached, or closes the connection without answering
     */
    public static String request(String address, String command) throws IOException {
        return request(address, null, command);
    }

    /**
     * Sends one command, after the token if one is given, and returns the answer.
     *
     * @param address the monitor, as {@code HOST:PORT} (see {@link Monitor#start(String)})
     * @param token the monitor's token, or null or empty for none
     * @param command the command, such as {@code ps} or {@code json tree}
     * @return the answer, without the prompt (an answer beginning {@code error:} or
     *     {@code {"error": ...}} reports a failed command)
     * @throws IOException if the monitor cannot be reached, refuses the token, or closes the
     *     connection without answering
     */
    public static String request(String address, String token, String command) throws IOException {
        try (Socket s = connect(address)) {
            s.setSoTimeout(ANSWER_TIMEOUT_MS);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            greet(in, out, address, token);
            send(out, command);
            String answer = readToPrompt(in);
            if (answer == null) {
                throw new IOException("the monitor at " + address + " closed the connection without answering");
            }
            if (answer.endsWith(PROMPT_MARK)) {
                send(out, "quit");
            }
            return strip(answer);
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
        interact(address, null, in, out);
    }

    /**
     * An interactive session, after the token if one is given: lines from {@code in} go to the
     * monitor, answers to {@code out}, until {@code quit}, the end of input, or the monitor closing
     * the connection.
     *
     * @param address the monitor
     * @param token the monitor's token, or null or empty for none
     * @param in commands
     * @param out answers
     * @throws IOException if the monitor cannot be reached or refuses the token
     */
    public static void interact(String address, String token, InputStream in, PrintStream out) throws IOException {
        try (Socket s = connect(address)) {
            InputStream fromMonitor = s.getInputStream();
            OutputStream toMonitor = s.getOutputStream();
            out.print(greet(fromMonitor, toMonitor, address, token) + Monitor.prompt());
            out.flush();
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                send(toMonitor, line);
                if (line.trim().equalsIgnoreCase("quit") || line.trim().equalsIgnoreCase("exit")) {
                    return;
                }
                String answer = readToPrompt(fromMonitor);
                if (answer == null || !answer.endsWith(PROMPT_MARK)) {
                    out.print(answer == null ? "" : answer);
                    out.println("(the monitor closed the connection)");
                    out.flush();
                    return;
                }
                out.print(answer.substring(0, answer.length() - PROMPT_MARK.length()) + Monitor.prompt());
                out.flush();
            }
        }
    }

    private static Socket connect(String address) throws IOException {
        InetSocketAddress a = Monitor.parse(address);
        if (a.isUnresolved()) {
            throw new UnknownHostException("unknown host '" + a.getHostString() + "'");
        }
        Socket s = new Socket();
        try {
            s.connect(a, CONNECT_TIMEOUT_MS);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Reads the greeting and, with a token, authenticates; returns the greeting to show. */
    private static String greet(InputStream in, OutputStream out, String address, String token) throws IOException {
        String greeting = readToPrompt(in);
        if (greeting == null) {
            throw new IOException("the monitor at " + address + " closed the connection at once");
        }
        if (token == null || token.isEmpty()) {
            return strip(greeting);
        }
        send(out, "auth " + token);
        String answer = readToPrompt(in);
        if (answer == null || !answer.endsWith(PROMPT_MARK) || answer.startsWith("error:")) {
            String why = answer == null ? "it closed the connection" : strip(answer).strip().replaceFirst("^error: ", "");
            throw new IOException("the monitor at " + address + " refused the token: " + why);
        }
        return strip(answer);
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Appended by {@link #readToPrompt} when the prompt was seen. */
    private static final String PROMPT_MARK = "\u0000prompt";

    private static String strip(String answer) {
        return answer.endsWith(PROMPT_MARK) ? answer.substring(0, answer.length() - PROMPT_MARK.length()) : answer;
    }

    /**
     * Reads until the prompt or the end of the stream. Returns what came before the prompt, or
     * null if the stream ended with nothing read.
     */
    private static String readToPrompt(InputStream in) throws IOException {
        byte[] prompt = Monitor.prompt().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) != -1; ) {
            buf.write(b);
            matched = b == (prompt[matched] & 0xff) ? matched + 1 : (b == (prompt[0] & 0xff) ? 1 : 0);
            if (matched == prompt.length) {
                byte[] all = buf.toByteArray();
                return new String(all, 0, all.length - prompt.length, StandardCharsets.UTF_8) + PROMPT_MARK;
            }
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
    }
}
