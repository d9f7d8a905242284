package io.jasyncio.http.internal.client;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The client's shared Jackson mapper (thread-safe once configured). */
public final class Json {
    /** Jackson's defaults. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
