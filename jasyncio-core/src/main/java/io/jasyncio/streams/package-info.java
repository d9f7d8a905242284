/**
 * The application layer of networking, as asyncio's streams: {@link io.jasyncio.streams.Streams}
 * opens connections and servers, a {@link io.jasyncio.streams.StreamReader} reads lines, frames
 * and exact counts with a limit and read flow control, a {@link io.jasyncio.streams.StreamWriter}
 * writes and {@code drain}s with write flow control (and an optional hard bound). Built on the
 * transports and protocols of {@code io.jasyncio.net}. See {@code docs/streams.md}.
 */
package io.jasyncio.streams;
