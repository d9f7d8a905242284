package io.jasyncio;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real peers that interop tests run against (CPython with Debian's packages, openssl,
 * curl, ...). A missing peer skips the test on a developer's machine, but fails it when the
 * environment variable {@code CI} is {@code true}: a green CI run means every peer ran.
 * {@code .ci/run} installs them.
 */
public final class Peers {
    private Peers() {}

    /** True when running under CI ({@code CI=true}), where a missing peer is a failure. */
    public static boolean strict() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips the test (fails it under CI) unless {@code present}; {@code what} names the peer. */
    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        String message = what + " is not installed (.ci/run installs it)";
        if (strict()) {
            Assertions.fail("CI=true: " + message);
        }
        Assumptions.abort(message + ": skipped");
    }

    /** An executable on PATH, or null. */
    public static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return null;
    }

    /** A command on PATH, required as {@link #require} says. */
    public static String command(String name) {
        String path = onPath(name);
        require(path != null, name);
        return path;
    }

    /**
     * Debian's CPython ({@code /usr/bin/python3}, which sees the packages apt installed; a
     * {@code python3} earlier on PATH may be another interpreter without them), able to import
     * every module named; required as {@link #require} says.
     */
    public static String python(String... modules) {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : onPath("python3");
        require(python != null, "python3");
        for (String module : modules) {
            require(canImport(python, module), "python3 module " + module + " (Debian package python3-" + module + ")");
        }
        return python;
    }

    /** Whether {@code python} can import {@code module}. */
    public static boolean canImport(String python, String module) {
        List<String> cmd = new ArrayList<>(List.of(python, "-c", "import " + module));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
