package io.jasyncio.http.internal.h1;

import java.util.EnumSet;
import java.util.Set;

/**
 * The limits and leniencies of an {@link H1Parser}: strict with the default limits unless a
 * leniency is named here. Immutable; {@link #builder()} makes a changed copy.
 *
 * @param maxStartLineLength  longest request or status line, CRLF excluded (default 8 KiB; a
 *                            longer request line is refused with 414)
 * @param maxHeaderLineLength longest header or trailer field line (default 8 KiB; 431)
 * @param maxHeaderCount      most header fields, and separately most trailer fields (default 100; 431)
 * @param maxHeadSize         most bytes in a head, start line and empty lines before it included
 *                            (default 64 KiB; 431)
 * @param maxChunkLineLength  longest chunk size line, extensions included (default 4 KiB; 400)
 * @param maxBodySize         most content bytes in a message (default unlimited); a
 *                            {@code Content-Length} above it is refused with 413 when the body
 *                            starts, a chunked body when its running total passes it; see
 *                            {@link H1Parser#bodyLimit(long)} to change it for one message
 * @param leniencies          the rules relaxed (none by default)
 */
public record H1Options(int maxStartLineLength, int maxHeaderLineLength, int maxHeaderCount,
                        int maxHeadSize, int maxChunkLineLength, long maxBodySize,
                        Set<Leniency> leniencies) {

    /** Strict, with the default limits. */
    public static final H1Options DEFAULT = new H1Options(8192, 8192, 100, 65536, 4096, Long.MAX_VALUE,
            EnumSet.noneOf(Leniency.class));

    /** A rule that may be relaxed by name; none is relaxed by default. */
    public enum Leniency {
        /** Accept a bare LF as the end of a start line, field line or chunk line (RFC 9112 section 2.2 allows it; smuggling risk when a proxy disagrees). */
        BARE_LF_LINE_ENDS,
        /** Accept control characters other than NUL, CR and LF in field values (some legacy clients send them). */
        CONTROL_CHARS_IN_FIELD_VALUES,
        /** Accept spaces and tabs after a chunk size and around chunk extensions (the BWS of RFC 9112 section 7.1.1). */
        SPACES_IN_CHUNK_LINES
    }

    /** Checks the limits and copies the leniencies. */
    public H1Options {
        if (maxStartLineLength < 16 || maxHeaderLineLength < 16 || maxHeaderCount < 0 || maxHeadSize < 16
                || maxChunkLineLength < 16 || maxBodySize < 0) {
            throw new IllegalArgumentException("limit too small");
        }
        leniencies = leniencies.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(leniencies));
    }

    /** Whether {@code l} is relaxed. */
    public boolean allows(Leniency l) {
        return leniencies.contains(l);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A builder starting from {@link #DEFAULT}. */
    public static Builder builder() {
        return new Builder(DEFAULT);
    }

    /** Builds changed options. */
    public static final class Builder {
        private int maxStartLineLength;
        private int maxHeaderLineLength;
        private int maxHeaderCount;
        private int maxHeadSize;
        private int maxChunkLineLength;
        private long maxBodySize;
        private final EnumSet<Leniency> leniencies = EnumSet.noneOf(Leniency.class);

        private Builder(H1Options o) {
            maxStartLineLength = o.maxStartLineLength;
            maxHeaderLineLength = o.maxHeaderLineLength;
            maxHeaderCount = o.maxHeaderCount;
            maxHeadSize = o.maxHeadSize;
            maxChunkLineLength = o.maxChunkLineLength;
            maxBodySize = o.maxBodySize;
            leniencies.addAll(o.leniencies);
        }

        public Builder maxStartLineLength(int n) {
            maxStartLineLength = n;
            return this;
        }

        public Builder maxHeaderLineLength(int n) {
            maxHeaderLineLength = n;
            return this;
        }

        public Builder maxHeaderCount(int n) {
            maxHeaderCount = n;
            return this;
        }

        public Builder maxHeadSize(int n) {
            maxHeadSize = n;
            return this;
        }

        public Builder maxChunkLineLength(int n) {
            maxChunkLineLength = n;
            return this;
        }

        public Builder maxBodySize(long n) {
            maxBodySize = n;
            return this;
        }

        public Builder allow(Leniency l) {
            leniencies.add(l);
            return this;
        }

        public H1Options build() {
            return new H1Options(maxStartLineLength, maxHeaderLineLength, maxHeaderCount, maxHeadSize,
                    maxChunkLineLength, maxBodySize, leniencies);
        }
    }
}
