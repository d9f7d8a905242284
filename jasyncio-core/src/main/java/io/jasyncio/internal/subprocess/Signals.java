package io.jasyncio.internal.subprocess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Signal names and numbers, and sending one to a process through the {@code kill} command. */
final class Signals {
    private Signals() {}

    static final int KILL = 9;
    static final int TERM = 15;

    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9]*([+-][0-9]+)?");
    private static final Map<String, Integer> NUMBERS = numbers();

    /** The numbers POSIX fixes everywhere, and on Linux (x86, ARM, RISC-V, POWER) the rest. */
    private static Map<String, Integer> numbers() {
        Map<String, Integer> m = new HashMap<>();
        m.put("HUP", 1);
        m.put("INT", 2);
        m.put("QUIT", 3);
        m.put("ABRT", 6);
        m.put("KILL", KILL);
        m.put("ALRM", 14);
        m.put("TERM", TERM);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean oddLinux = arch.startsWith("mips") || arch.startsWith("sparc") || arch.startsWith("alpha");
        if (os.startsWith("linux") && !oddLinux) {
            String[] names = {null, null, null, null, "ILL", "TRAP", "IOT", "BUS", "FPE", null, "USR1", "SEGV",
                "USR2", "PIPE", null, null, "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
                "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
            for (int i = 0; i < names.length; i++) {
                if (names[i] != null) {
                    m.put(names[i], i);
                }
            }
            m.put("POLL", 29);
        }
        return Map.copyOf(m);
    }

    /**
     * The canonical name: upper case, without the {@code SIG} prefix.
     *
     * @throws IllegalArgumentException if it cannot be a signal name
     */
    static String normalise(String name) {
        String n = name.strip().toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) {
            n = n.substring(3);
        }
        if (!NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("Not a signal name: " + name);
        }
        return n;
    }

    /** The signal's number, or -1 when this platform's number for it is not known here. */
    static int number(String normalisedName) {
        return NUMBERS.getOrDefault(normalisedName, -1);
    }

    /**
     * Runs {@code kill -s NAME pid} (or {@code kill -N pid}) and waits for it: a few milliseconds.
     *
     * @throws IllegalArgumentException if {@code kill} refuses the signal
     * @throws UncheckedIOException if the command cannot run or fails otherwise
     */
    static void sendWithKillCommand(String signal, long pid) {
        ProcessBuilder pb = signal.chars().allMatch(Character::isDigit)
                ? new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                : new ProcessBuilder("kill", "-s", signal, Long.toString(pid));
        pb.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(ProcessBuilder.Redirect.DISCARD.file()));
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int code = p.waitFor();
            if (code != 0) {
                if (out.toLowerCase(Locale.ROOT).contains("no such process")) {
                    return; // it exited meanwhile: nothing to signal, as asyncio ignores ProcessLookupError
                }
                String why = "kill " + String.join(" ", pb.command().subList(1, pb.command().size()))
                        + " failed (status " + code + ")" + (out.isEmpty() ? "" : ": " + out);
                if (out.toLowerCase(Locale.ROOT).contains("invalid") || out.toLowerCase(Locale.ROOT).contains("unknown")) {
                    throw new IllegalArgumentException(why);
                }
                throw new UncheckedIOException(new IOException(why));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run the kill command to send SIG" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("Interrupted while sending SIG" + signal, e));
        }
    }
}
