/**
 * jasyncio-http: HTTP/1.1 for jasyncio. The message types ({@link io.jasyncio.http}), the server
 * ({@link io.jasyncio.http.server}, docs/http.md) and the client ({@link io.jasyncio.http.client}:
 * {@code ClientSession}, {@code ClientResponse}, {@code ClientTimeout}, docs/http-client.md). The
 * strict, incremental, sans-I/O parser and the serializer live in
 * {@code io.jasyncio.http.internal.h1} (docs/http-parser.md), the client's pool and connections in
 * {@code io.jasyncio.http.internal.client}; neither is exported.
 */
module io.jasyncio.http {
    requires io.jasyncio;
    requires java.logging;
    requires transitive com.fasterxml.jackson.databind;
    exports io.jasyncio.http;
    exports io.jasyncio.http.server;
    exports io.jasyncio.http.client;
}
