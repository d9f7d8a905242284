package io.jasyncio.subprocess;

/**
 * A started child process's transport and its protocol: what
 * {@link Subprocess#subprocessExec} and {@link Subprocess#subprocessShell} return (asyncio's
 * {@code (transport, protocol)} pair).
 *
 * @param transport the process's transport
 * @param protocol the protocol the factory made for it
 * @param <P> the protocol's type
 */
public record SubprocessEndpoint<P extends SubprocessProtocol>(SubprocessTransport transport, P protocol) {}
