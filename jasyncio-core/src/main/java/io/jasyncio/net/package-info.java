/**
 * The framework layer of networking, as asyncio's transports and protocols: a {@link Transport}
 * moves bytes, a protocol ({@link Protocol}, {@link BufferedProtocol}, {@link DatagramProtocol})
 * reacts to them through callbacks run on the loop. Create them with
 * {@link io.jasyncio.EventLoop#createConnection}, {@link io.jasyncio.EventLoop#createServer} and
 * {@link io.jasyncio.EventLoop#createDatagramEndpoint}. Every method of a transport must be called
 * on its loop (in a task or a callback), like the rest of a loop's API.
 *
 * <p>Applications usually want the stream layer on top, {@code io.jasyncio.streams}.
 */
package io.jasyncio.net;
