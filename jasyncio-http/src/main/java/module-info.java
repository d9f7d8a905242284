/**
 * jasyncio-http: HTTP/1.1 for jasyncio. For now the message types ({@link io.jasyncio.http}); the
 * strict, incremental, sans-I/O parser and the serializer live in
 * {@code io.jasyncio.http.internal.h1}, which is not exported: the server and client to come are
 * their public face. See {@code docs/http-parser.md}.
 */
module io.jasyncio.http {
    requires io.jasyncio;
    exports io.jasyncio.http;
}
