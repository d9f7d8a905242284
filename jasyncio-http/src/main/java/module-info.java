/**
 * jasyncio-http: HTTP/1.1 for jasyncio. The message types ({@link io.jasyncio.http}) and the
 * client ({@link io.jasyncio.http.client}: {@code ClientSession}, {@code ClientResponse},
 * {@code ClientTimeout}); the strict, incremental, sans-I/O parser and the serializer live in
 * {@code io.jasyncio.http.internal.h1}, the client's pool and connections in
 * {@code io.jasyncio.http.internal.client}, neither exported. See {@code docs/http-parser.md} and
 * {@code docs/http-client.md}.
 */
module io.jasyncio.http {
    requires io.jasyncio;
    requires transitive com.fasterxml.jackson.databind;
    exports io.jasyncio.http;
    exports io.jasyncio.http.client;
}
