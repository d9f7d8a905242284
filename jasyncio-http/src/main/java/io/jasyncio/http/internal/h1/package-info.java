/**
 * HTTP/1.1 on the wire, sans-I/O: {@link io.jasyncio.http.internal.h1.H1Parser} turns bytes into
 * events (heads, body slices, ends, upgrades) and refuses what smuggles or floods with the status a
 * server should answer; {@link io.jasyncio.http.internal.h1.H1Serializer} writes heads and chunks
 * into buffers; {@link io.jasyncio.http.internal.h1.H1Options} holds the limits and the named
 * leniencies (strict by default). No sockets and no event loop here: the server and client of
 * jasyncio-http drive them. Not exported. See docs/http-parser.md.
 */
package io.jasyncio.http.internal.h1;
