package io.jasyncio.http.client;

import io.jasyncio.http.internal.client.Json;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The content of a request and its media type: bytes, text, JSON (Jackson), a urlencoded form, or
 * a {@link BodySource} streamed piece by piece (chunked unless its length is given). Bytes are
 * sent with {@code Content-Length}. Immutable; a streamed body can be sent once.
 */
public final class RequestBody {
    final byte[] bytes;
    final BodySource source;
    final long length;
    final String contentType;

    private RequestBody(byte[] bytes, BodySource source, long length, String contentType) {
        this.bytes = bytes;
        this.source = source;
        this.length = length;
        this.contentType = contentType;
    }

    /** The bytes as they are, with a media type (null for none). The array is not copied: do not change it. */
    public static RequestBody bytes(byte[] content, String contentType) {
        Objects.requireNonNull(content, "content");
        return new RequestBody(content, null, content.length, contentType);
    }

    /** UTF-8 text, {@code text/plain; charset=utf-8}. */
    public static RequestBody text(String text) {
        return new RequestBody(text.getBytes(StandardCharsets.UTF_8), null, -1, "text/plain; charset=utf-8");
    }

    /** A value serialized by Jackson, {@code application/json}. */
    public static RequestBody json(Object value) {
        try {
            return new RequestBody(Json.MAPPER.writeValueAsBytes(value), null, -1, "application/json");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException("cannot serialize the request body to JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A form, {@code application/x-www-form-urlencoded}, fields in the map's order. */
    public static RequestBody form(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return new RequestBody(sb.toString().getBytes(StandardCharsets.US_ASCII), null, -1,
                "application/x-www-form-urlencoded");
    }

    /** A body streamed from {@code source}, sent chunked ({@code Transfer-Encoding: chunked}). */
    public static RequestBody stream(BodySource source, String contentType) {
        return new RequestBody(null, Objects.requireNonNull(source, "source"), -1, contentType);
    }

    /** A body of exactly {@code length} bytes streamed from {@code source}, sent with {@code Content-Length}. */
    public static RequestBody stream(BodySource source, long length, String contentType) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        return new RequestBody(null, Objects.requireNonNull(source, "source"), length, contentType);
    }

    /** The media type, or null. */
    public String contentType() {
        return contentType;
    }

    /** Whether it is streamed (and so can be sent only once). */
    public boolean isStreamed() {
        return source != null;
    }
}
