/**
 * The HTTP/1.1 server, shaped like aiohttp's {@code web}: an {@link io.jasyncio.http.server.Application}
 * with its {@link io.jasyncio.http.server.Router}, middlewares and hooks; handlers taking a
 * {@link io.jasyncio.http.server.Request} and returning a {@link io.jasyncio.http.server.Response}
 * or a {@link io.jasyncio.http.server.StreamResponse}; errors and redirects as
 * {@link io.jasyncio.http.server.HttpException}s; {@link io.jasyncio.http.server.HttpServer} to
 * run it. See docs/http.md.
 */
package io.jasyncio.http.server;
