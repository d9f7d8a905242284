/**
 * The HTTP client's machinery behind {@code io.jasyncio.http.client}: the connection pool, the
 * connection protocol (a {@link io.jasyncio.net.BufferedProtocol} driving the sans-I/O parser), one
 * request's exchange and its timers. Not exported.
 */
package io.jasyncio.http.internal.client;
