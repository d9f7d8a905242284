/**
 * HTTP message types shared by the server and client: {@link io.jasyncio.http.Headers} (an
 * ordered, case-insensitive multi-map), {@link io.jasyncio.http.HttpVersion},
 * {@link io.jasyncio.http.Method} names, the heads of requests and responses, and
 * {@link io.jasyncio.http.HttpParseException}, the refusal of a malformed message with the status
 * a server should answer. See {@code docs/http-parser.md}.
 */
package io.jasyncio.http;
