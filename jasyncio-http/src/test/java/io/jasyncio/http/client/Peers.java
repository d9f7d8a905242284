package io.jasyncio.http.client;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The interop tests' peers, with the rule of jasyncio-core's {@code io.jasyncio.Peers} (a missing
 * peer skips the test, and fails it under {@code CI=true}). A copy, because this module's tests
 * are compiled inside the named module {@code io.jasyncio.http}, which cannot read a class of
 * core's test jar in core's own package.
 */
final class Peers {
    private Peers() {
    }

    static void require(boolean present, String what) {
        if (present) {
            return;
        }
        String message = what + " is not installed (.ci/run installs it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("CI=true: " + message);
        }
        Assumptions.abort(message + ": skipped");
    }

    static String command(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        require(false, name);
        return null;
    }

    /** Debian's CPython, able to import every module named. */
    static String python(String... modules) {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : command("python3");
        for (String m : modules) {
            require(canImport(python, m), "python3 module " + m + " (Debian package python3-" + m + ")");
        }
        return python;
    }

    private static boolean canImport(String python, String module) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import " + module).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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
