/**
 * jasyncio-http: HTTP/1.1 for jasyncio. The message types ({@link io.jasyncio.http}) and the
 * server ({@link io.jasyncio.http.server}, docs/http.md); the strict, incremental, sans-I/O parser
 * and the serializer live in {@code io.jasyncio.http.internal.h1}, which is not exported (see
 * {@code docs/http-parser.md}).
 */
module io.jasyncio.http {
    requires io.jasyncio;
    requires java.logging;
    requires transitive com.fasterxml.jackson.databind;
    exports io.jasyncio.http;
    exports io.jasyncio.http.server;
}
