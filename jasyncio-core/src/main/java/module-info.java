/**
 * jasyncio: asyncio for Java. One event loop, many tasks that give up control only where they
 * wait, structured concurrency, cancellation and timeouts. Tasks run on virtual threads, so
 * {@code await} works at any depth of a task's call stack, yet exactly one task of a loop runs at
 * a time.
 *
 * <p>The public API is the package {@link io.jasyncio}; {@code io.jasyncio.sync} holds the locks,
 * events, conditions, semaphores and barriers, {@code io.jasyncio.queues} the queues,
 * {@code io.jasyncio.channels} channels and select, {@code io.jasyncio.net} transports, protocols
 * and servers (TCP, Unix sockets, TLS, UDP), {@code io.jasyncio.streams} the streams
 * (openConnection, startServer, StreamReader, StreamWriter), {@code io.jasyncio.subprocess}
 * subprocesses with async pipes, and {@code io.jasyncio.management} the JMX view of the tasks. Everything under {@code io.jasyncio.internal} is implementation.
 */
module io.jasyncio {
    requires java.logging;
    requires java.management;
    requires jdk.unsupported;
    exports io.jasyncio;
    exports io.jasyncio.management;
    exports io.jasyncio.sync;
    exports io.jasyncio.queues;
    exports io.jasyncio.channels;
    exports io.jasyncio.net;
    exports io.jasyncio.streams;
    exports io.jasyncio.subprocess;
}
