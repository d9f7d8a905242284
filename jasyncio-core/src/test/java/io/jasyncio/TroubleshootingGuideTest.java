package io.jasyncio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/troubleshooting.md has an entry for every message jasyncio prints to its users. The rule,
 * applied to the main sources of jasyncio-core, jasyncio-test and jasyncio-monitor:
 *
 * <ul>
 *   <li>a <em>message</em> is the argument of one of these calls: {@code ExceptionContext.builder(m)}
 *       (everything the exception handler prints); {@code log(Level.WARNING|ERROR|INFO, m, ...)}
 *       (the logger; DEBUG and TRACE are for developers); the transports' and generators' reporting
 *       helpers {@code report(m, ...)}, {@code closeReporting(m)}, {@code fatal(e, m)},
 *       {@code fatalError(e, m)}; {@code new IllegalStateException(m, ...)} in EventLoop, Task and
 *       AsyncFuture (await outside a task, wrong thread, closed loop); {@code String.format(Locale,
 *       m, ...)} in SlowStep (the slow-step report); {@code new AssertionError(m)} in the test kit;</li>
 *   <li>its <em>key</em> is the longest string literal of that argument expression (messages built
 *       only from variables have no key: their literals are where the variable is set, and those
 *       calls are sinks themselves);</li>
 *   <li>the guide must contain each key's fragments verbatim, a fragment being the key split at its
 *       format placeholders ({@code %s}, {@code %.3f}, {@code {0}}) and trimmed, ignoring fragments
 *       of fewer than 4 characters (line breaks and runs of blanks count as one space).</li>
 * </ul>
 */
class TroubleshootingGuideTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> MODULES = List.of("jasyncio-core", "jasyncio-test", "jasyncio-monitor");

    private static final Pattern SINK = Pattern.compile(
            "ExceptionContext\\.builder\\(|\\.log\\(System\\.Logger\\.Level\\.(WARNING|ERROR|INFO),"
            + "|\\b(report|closeReporting|fatal|fatalError)\\(|new IllegalStateException\\("
            + "|String\\.format\\(Locale\\.ROOT,|new AssertionError\\(");
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
    private static final Pattern PLACEHOLDER = Pattern.compile("%[-.0-9]*[a-zA-Z]|\\{\\d+}");

    @Test
    void everyMessageHasAnEntry() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/troubleshooting.md")).replaceAll("\\s+", " ");
        Map<String, String> keys = messageKeys();
        assertTrue(keys.size() > 40, "the scan found too few messages, the rule is broken: " + keys);
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> k : keys.entrySet()) {
            for (String fragment : PLACEHOLDER.split(k.getKey())) {
                String f = fragment.strip().replaceAll("\\s+", " ");
                if (f.length() >= 4 && !guide.contains(f)) {
                    missing.add(k.getValue() + ": \"" + k.getKey() + "\"");
                    break;
                }
            }
        }
        assertEquals(List.of(), missing, "messages with no entry in docs/troubleshooting.md");
    }

    @Test
    void theRuleSeesTheMessagesTheGuideIsAbout() throws IOException {
        // A guard against a scan that silently stops matching: these must be among the keys.
        Map<String, String> keys = messageKeys();
        for (String expected : List.of(" exception was never retrieved", "Task was destroyed but it is pending!",
                "unclosed ", "Executing %s took %.3f seconds", " is not running a task of any event loop; use Asyncio.run(...),", "Event loop is closed: ")) {
            assertTrue(keys.containsKey(expected), "not found by the scan: " + expected + " in " + keys.keySet());
        }
    }

    /** Each message key, with where it was found (file:line). */
    static Map<String, String> messageKeys() throws IOException {
        Map<String, String> keys = new TreeMap<>();
        for (String module : MODULES) {
            Path src = ROOT.resolve(module).resolve("src/main/java");
            List<Path> files;
            try (Stream<Path> s = Files.walk(src)) {
                files = s.filter(p -> p.toString().endsWith(".java")).toList();
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                String text = stripComments(Files.readString(file));
                Matcher m = SINK.matcher(text);
                while (m.find()) {
                    String call = m.group();
                    if (call.startsWith("new IllegalStateException")
                            && !List.of("EventLoop.java", "Task.java", "AsyncFuture.java").contains(name)) {
                        continue;
                    }
                    if (call.startsWith("String.format") && !name.equals("SlowStep.java")) {
                        continue;
                    }
                    if (call.startsWith("new AssertionError") && !module.equals("jasyncio-test")) {
                        continue;
                    }
                    List<String> args = arguments(text, m.end());
                    int index = call.startsWith("fatal") ? 1 : 0;
                    if (args.size() <= index) {
                        continue;
                    }
                    String key = longestLiteral(args.get(index));
                    if (key != null) {
                        int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                        keys.putIfAbsent(key, module + "/" + src.relativize(file) + ":" + line);
                    }
                }
            }
        }
        return keys;
    }

    /** The top-level arguments of the call whose argument list starts at {@code from}. */
    private static List<String> arguments(String text, int from) {
        List<String> args = new ArrayList<>();
        int depth = 0;
        int start = from;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = skipLiteral(text, i);
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) {
                    args.add(text.substring(start, i));
                    return args;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                args.add(text.substring(start, i));
                start = i + 1;
            }
        }
        return args;
    }

    /** The index of the quote that ends the literal (string, character or text block) at {@code i}. */
    private static int skipLiteral(String text, int i) {
        if (text.startsWith("\"\"\"", i)) {
            int end = text.indexOf("\"\"\"", i + 3);
            return end < 0 ? text.length() : end + 2;
        }
        char quote = text.charAt(i);
        for (int j = i + 1; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == quote) {
                return j;
            }
        }
        return text.length();
    }

    private static String longestLiteral(String expr) {
        String best = null;
        Matcher m = LITERAL.matcher(expr);
        while (m.find()) {
            String s = m.group(1).replace("\\\"", "\"").replace("\\'", "'").replace("\\n", "\n").replace("\\\\", "\\");
            if (best == null || s.length() > best.length()) {
                best = s;
            }
        }
        return best;
    }

    /** The source with its comments blanked (string literals kept, so "//" in a URL survives). */
    private static String stripComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                int end = skipLiteral(s, i);
                out.append(s, i, Math.min(end + 1, s.length()));
                i = end;
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
                out.append('\n');
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
                for (int j = i; j < end; j++) {
                    out.append(s.charAt(j) == '\n' ? '\n' : ' ');
                }
                i = end - 1;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
