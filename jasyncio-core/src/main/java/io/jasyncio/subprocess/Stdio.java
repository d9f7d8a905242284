package io.jasyncio.subprocess;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one of a child's standard streams goes: {@link #PIPE} to the parent, {@link #DEVNULL},
 * {@link #INHERIT} (the parent's own stream), a file, or, for stderr only, {@link #STDOUT}
 * (asyncio's {@code PIPE}, {@code DEVNULL}, {@code STDOUT}, {@code None} and file arguments).
 * Immutable.
 */
public final class Stdio {
    /** What a {@link Stdio} does. */
    public enum Kind {
        /** A pipe to the parent: a stream of the process object, a pipe transport. */
        PIPE,
        /** The null device. */
        DEVNULL,
        /** The parent's own stream. */
        INHERIT,
        /** stderr only: wherever stdout goes (the shell's {@code 2>&1}). */
        STDOUT,
        /** A file: read from for stdin; for stdout and stderr, created or truncated, or appended to. */
        FILE
    }

    /** A pipe to the parent. */
    public static final Stdio PIPE = new Stdio(Kind.PIPE, null, false);
    /** The null device: stdin reads EOF at once, output is discarded. */
    public static final Stdio DEVNULL = new Stdio(Kind.DEVNULL, null, false);
    /** The parent's own stream (asyncio's default, {@code None}). */
    public static final Stdio INHERIT = new Stdio(Kind.INHERIT, null, false);
    /** For stderr: merged into stdout. */
    public static final Stdio STDOUT = new Stdio(Kind.STDOUT, null, false);

    private final Kind kind;
    private final Path file;
    private final boolean append;

    private Stdio(Kind kind, Path file, boolean append) {
        this.kind = kind;
        this.file = file;
        this.append = append;
    }

    /**
     * A file: stdin reads it; stdout or stderr creates or truncates it.
     *
     * @param file the file
     * @return the redirection
     */
    public static Stdio file(Path file) {
        return new Stdio(Kind.FILE, Objects.requireNonNull(file, "file"), false);
    }

    /**
     * For stdout or stderr: appends to a file, creating it if needed.
     *
     * @param file the file
     * @return the redirection
     */
    public static Stdio append(Path file) {
        return new Stdio(Kind.FILE, Objects.requireNonNull(file, "file"), true);
    }

    /** {@return what this redirection does} */
    public Kind kind() {
        return kind;
    }

    /** {@return the file of a {@link Kind#FILE} redirection, else null} */
    public Path file() {
        return file;
    }

    /** {@return whether a file is appended to rather than truncated} */
    public boolean isAppend() {
        return append;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Stdio s && s.kind == kind && Objects.equals(s.file, file) && s.append == append;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, file, append);
    }

    @Override
    public String toString() {
        return kind == Kind.FILE ? (append ? "append:" : "file:") + file : kind.name();
    }
}
