package io.jasyncio.examples.echo;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/** The status lines an in-process server prints ("echo: ..."), collected for a test. */
final class Log {
    private final StringBuilder text = new StringBuilder();
    final PrintWriter writer = new PrintWriter(new Writer() {
        @Override
        public void write(char[] c, int off, int len) {
            synchronized (text) {
                text.append(c, off, len);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }, true);

    List<String> lines() {
        synchronized (text) {
            List<String> out = new ArrayList<>();
            for (String l : text.toString().split("\\R")) {
                if (!l.isEmpty()) {
                    out.add(l);
                }
            }
            return out;
        }
    }

    @Override
    public String toString() {
        return String.join("\n", lines());
    }
}
