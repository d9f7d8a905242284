package io.jasyncio.subprocess;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What {@link AsyncProcess#communicate} read: the child's stdout and stderr (asyncio's
 * {@code (stdout_data, stderr_data)} pair). A stream that is not a pipe gives null. Two results
 * are equal when their bytes are.
 *
 * @param stdout the bytes read from stdout, or null if stdout is not a pipe
 * @param stderr the bytes read from stderr, or null if stderr is not a pipe
 */
public record CommunicateResult(byte[] stdout, byte[] stderr) {
    /** {@return stdout decoded as UTF-8, or null} */
    public String stdoutText() {
        return stdout == null ? null : new String(stdout, StandardCharsets.UTF_8);
    }

    /** {@return stderr decoded as UTF-8, or null} */
    public String stderrText() {
        return stderr == null ? null : new String(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CommunicateResult r && Arrays.equals(r.stdout, stdout) && Arrays.equals(r.stderr, stderr);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(stdout) + Arrays.hashCode(stderr);
    }

    @Override
    public String toString() {
        return "CommunicateResult[stdout=" + (stdout == null ? "null" : stdout.length + " bytes")
                + ", stderr=" + (stderr == null ? "null" : stderr.length + " bytes") + "]";
    }
}
