package io.jasyncio.http.server;

/**
 * A file sent in a {@code multipart/form-data} form (aiohttp's {@code FileField}).
 *
 * @param name        the form field's name
 * @param filename    the file name the client gave
 * @param contentType the part's {@code Content-Type} ({@code application/octet-stream} if none)
 * @param content     the file's bytes
 */
public record FileField(String name, String filename, String contentType, byte[] content) {
}
