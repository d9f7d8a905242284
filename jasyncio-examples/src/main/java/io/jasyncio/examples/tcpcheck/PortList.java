package io.jasyncio.examples.tcpcheck;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Port lists as people write them: {@code 22,80,8000-8010}. */
public final class PortList {
    private PortList() {
    }

    /**
     * Parses a comma-separated list of ports and inclusive ranges, keeping the order given and
     * dropping repeats.
     *
     * @param spec for example {@code "22,80,8000-8010"}
     * @return the ports
     * @throws IllegalArgumentException naming the bad part, if a port is not a number in 1..65535
     *     or a range runs backwards
     */
    public static List<Integer> parse(String spec) {
        Set<Integer> out = new LinkedHashSet<>();
        for (String part : spec.split(",", -1)) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty port in '" + spec + "'");
            }
            int dash = p.indexOf('-', 1);
            if (dash < 0) {
                out.add(port(p, spec));
                continue;
            }
            int lo = port(p.substring(0, dash).trim(), spec);
            int hi = port(p.substring(dash + 1).trim(), spec);
            if (lo > hi) {
                throw new IllegalArgumentException("range " + p + " runs backwards");
            }
            for (int i = lo; i <= hi; i++) {
                out.add(i);
            }
        }
        return new ArrayList<>(out);
    }

    private static int port(String s, String spec) {
        int n;
        try {
            n = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a port (in '" + spec + "')");
        }
        if (n < 1 || n > 65535) {
            throw new IllegalArgumentException("port " + n + " is outside 1-65535");
        }
        return n;
    }
}
