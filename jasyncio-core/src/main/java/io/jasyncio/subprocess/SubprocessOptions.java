package io.jasyncio.subprocess;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a child process is started: the keyword arguments of asyncio's
 * {@code create_subprocess_exec}, as an immutable value. {@link #DEFAULTS} is asyncio's default:
 * the child inherits the parent's stdin, stdout and stderr, its working directory and its
 * environment. {@link #PIPES} pipes all three.
 *
 * @param stdin where stdin comes from: {@link Stdio#PIPE}, {@link Stdio#DEVNULL},
 *     {@link Stdio#INHERIT} or a file
 * @param stdout where stdout goes: {@code PIPE}, {@code DEVNULL}, {@code INHERIT} or a file
 * @param stderr where stderr goes: the same, or {@link Stdio#STDOUT} to merge it into stdout
 * @param cwd the child's working directory, or null for the parent's
 * @param env the child's whole environment, or null to start from the parent's
 * @param extraEnv variables set on top of that environment (asyncio's {@code env={**os.environ, ...}})
 * @param limit the buffer limit of the process's {@code StreamReader}s, in bytes (64 KiB by
 *     default, as asyncio)
 */
public record SubprocessOptions(
        Stdio stdin,
        Stdio stdout,
        Stdio stderr,
        Path cwd,
        Map<String, String> env,
        Map<String, String> extraEnv,
        int limit) {

    /** The default read limit of the process's stream readers: 64 KiB, as asyncio. */
    public static final int DEFAULT_LIMIT = 64 * 1024;

    /** Everything inherited from the parent, as asyncio's defaults. */
    public static final SubprocessOptions DEFAULTS = new SubprocessOptions(
            Stdio.INHERIT, Stdio.INHERIT, Stdio.INHERIT, null, null, Map.of(), DEFAULT_LIMIT);

    /** stdin, stdout and stderr all {@link Stdio#PIPE}; the rest as {@link #DEFAULTS}. */
    public static final SubprocessOptions PIPES = new SubprocessOptions(
            Stdio.PIPE, Stdio.PIPE, Stdio.PIPE, null, null, Map.of(), DEFAULT_LIMIT);

    /** Checks the values and takes immutable copies of the maps. */
    public SubprocessOptions {
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        if (stdin.kind() == Stdio.Kind.STDOUT || stdout.kind() == Stdio.Kind.STDOUT) {
            throw new IllegalArgumentException("Stdio.STDOUT is only for stderr");
        }
        if (stdin.isAppend()) {
            throw new IllegalArgumentException("stdin cannot append to a file; use Stdio.file(path)");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        env = env == null ? null : Map.copyOf(env);
        extraEnv = extraEnv == null ? Map.of() : Map.copyOf(extraEnv);
    }

    /** {@return a builder starting from {@link #DEFAULTS}} */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** {@return a builder starting from these options} */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link SubprocessOptions}; every setter returns the builder. */
    public static final class Builder {
        private Stdio stdin;
        private Stdio stdout;
        private Stdio stderr;
        private Path cwd;
        private Map<String, String> env;
        private final Map<String, String> extraEnv;
        private int limit;

        private Builder(SubprocessOptions o) {
            stdin = o.stdin;
            stdout = o.stdout;
            stderr = o.stderr;
            cwd = o.cwd;
            env = o.env;
            extraEnv = new LinkedHashMap<>(o.extraEnv);
            limit = o.limit;
        }

        /**
         * Sets {@link SubprocessOptions#stdin() stdin}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder stdin(Stdio v) { stdin = v; return this; }
        /**
         * Sets {@link SubprocessOptions#stdout() stdout}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder stdout(Stdio v) { stdout = v; return this; }
        /**
         * Sets {@link SubprocessOptions#stderr() stderr}, as documented there.
         *
         * @param v the new value
         * @return this builder
         */
        public Builder stderr(Stdio v) { stderr = v; return this; }
        /**
         * Sets {@link SubprocessOptions#cwd() cwd}, as documented there.
         *
         * @param dir the new value
         * @return this builder
         */
        public Builder cwd(Path dir) { cwd = dir; return this; }

        /**
         * Replaces the whole environment: the child sees these variables (plus any
         * {@link #putEnv}), none of the parent's.
         *
         * @param vars the variables, or null to inherit the parent's again
         * @return this builder
         */
        public Builder env(Map<String, String> vars) { env = vars; return this; }

        /**
         * Sets one variable on top of the environment (the parent's, or the one given to
         * {@link #env}).
         *
         * @param name the variable
         * @param value its value
         * @return this builder
         */
        public Builder putEnv(String name, String value) {
            extraEnv.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets {@link SubprocessOptions#limit() limit}, as documented there.
         *
         * @param bytes the new value
         * @return this builder
         */
        public Builder limit(int bytes) { limit = bytes; return this; }

        /** {@return the options} */
        public SubprocessOptions build() {
            return new SubprocessOptions(stdin, stdout, stderr, cwd, env, extraEnv, limit);
        }
    }
}
