package io.jasyncio.examples.mq;

import io.jasyncio.streams.IncompleteReadException;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The {@code mq} wire format: every frame is a 4-byte big-endian length followed by that many
 * bytes. Channel names are frames holding non-empty UTF-8 text of at most
 * {@link #MAX_CHANNEL_BYTES} bytes. Shared by the broker and the clients.
 */
public final class Frames {
    /** The default bound on a frame's length (1 MiB), for {@code --max-frame}. */
    public static final int DEFAULT_MAX_FRAME = 1 << 20;

    /** The longest channel name, in UTF-8 bytes (or the frame bound, if smaller). */
    public static final int MAX_CHANNEL_BYTES = 1024;

    /** The largest {@code --max-frame} accepted: the largest array the JVM allocates, less the prefix. */
    public static final int MAX_MAX_FRAME = Integer.MAX_VALUE - 16;

    private Frames() {
    }

    /**
     * Reads one frame, refusing a length above {@code maxFrame} before reading (or allocating)
     * any of it.
     *
     * <p>A cancellation point: if cancelled, nothing of the frame is consumed
     * ({@link StreamReader#readExactly} consumes nothing when cancelled, and the length prefix and
     * the body are two reads, so a cancellation between them loses the prefix: only cancel a
     * connection you are about to close).
     *
     * @param reader where to read
     * @param maxFrame the largest length accepted
     * @param what what the frame is, for the error messages ("channel name", "payload")
     * @return the frame's bytes, or null if the stream ended cleanly before the frame began
     * @throws MqProtocolException if the length is above {@code maxFrame}, or the stream ends
     *     inside the frame
     * @throws IOException if the connection fails
     */
    public static byte[] read(StreamReader reader, int maxFrame, String what) throws IOException {
        byte[] prefix;
        try {
            prefix = reader.readExactly(4);
        } catch (IncompleteReadException e) {
            if (e.partial().length == 0) {
                return null;
            }
            throw new MqProtocolException("the connection ended inside the length prefix of a " + what + " ("
                    + e.partial().length + " of 4 bytes)");
        }
        long length = Integer.toUnsignedLong(ByteBuffer.wrap(prefix).getInt());
        if (length > maxFrame) {
            throw new MqProtocolException(String.format(Locale.ROOT,
                    "%s frame of %,d bytes refused: the limit is %,d bytes (length prefix %s)", what, length, maxFrame,
                    hex(prefix)), true);
        }
        try {
            return reader.readExactly((int) length);
        } catch (IncompleteReadException e) {
            throw new MqProtocolException(String.format(Locale.ROOT,
                    "the connection ended inside a %s frame (%,d of %,d bytes)", what, e.partial().length, length));
        }
    }

    /**
     * Reads a channel name: a frame of at most {@link #MAX_CHANNEL_BYTES} bytes (or
     * {@code maxFrame}, if smaller) holding non-empty, well-formed UTF-8.
     *
     * <p>A cancellation point, as {@link #read}.
     *
     * @param reader where to read
     * @param maxFrame the largest frame accepted
     * @param what what the name is for, for the error messages
     * @return the name, or null if the stream ended cleanly before the frame began
     * @throws MqProtocolException if the frame is too long, empty, or not UTF-8, or the stream ends inside it
     * @throws IOException if the connection fails
     */
    public static String readChannel(StreamReader reader, int maxFrame, String what) throws IOException {
        byte[] raw = read(reader, Math.min(maxFrame, MAX_CHANNEL_BYTES), what);
        return raw == null ? null : channelName(raw, what);
    }

    /**
     * Decodes a channel name strictly.
     *
     * @param raw the frame
     * @param what what the name is for, for the error messages
     * @return the name
     * @throws MqProtocolException if it is empty or not well-formed UTF-8
     */
    public static String channelName(byte[] raw, String what) throws MqProtocolException {
        if (raw.length == 0) {
            throw new MqProtocolException("empty " + what + ": a channel name has at least one byte", true);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new MqProtocolException(what + " is not UTF-8: " + hex(raw), true);
        }
    }

    /**
     * Encodes a channel name, checking it as the broker will.
     *
     * @param channel the name
     * @return its UTF-8 bytes
     * @throws IllegalArgumentException if it is empty, longer than {@link #MAX_CHANNEL_BYTES}
     *     bytes, or holds an unpaired surrogate
     */
    public static byte[] encodeChannel(String channel) {
        byte[] raw = channel.getBytes(StandardCharsets.UTF_8);
        if (raw.length == 0) {
            throw new IllegalArgumentException("a channel name must not be empty");
        }
        if (raw.length > MAX_CHANNEL_BYTES) {
            throw new IllegalArgumentException("a channel name has at most " + MAX_CHANNEL_BYTES + " bytes of UTF-8, not "
                    + raw.length);
        }
        try {
            channelName(raw, "channel name");
        } catch (MqProtocolException e) {
            throw new IllegalArgumentException("channel name is not valid Unicode (an unpaired surrogate?): " + channel);
        }
        return raw;
    }

    /**
     * Writes one frame (the prefix and the bytes, in one {@code writelines}). Does not drain.
     *
     * @param writer where to write
     * @param payload the bytes
     */
    public static void write(StreamWriter writer, byte[] payload) {
        writer.writelines(List.of(prefix(payload.length), payload));
    }

    /**
     * The length prefix of a frame.
     *
     * @param length the frame's length
     * @return four bytes, big-endian
     */
    public static byte[] prefix(int length) {
        return ByteBuffer.allocate(4).putInt(length).array();
    }

    /** A short hex view of some bytes, for error messages (at most 16 bytes shown). */
    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(b.length, 16);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02x", b[i] & 0xff));
        }
        if (b.length > n) {
            sb.append(" ...");
        }
        return sb.toString();
    }

    /** A channel name made safe to print: control characters escaped, long names shortened. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.length() < 80 || s.length() <= 80 ? sb.toString() : sb + "...";
    }
}
