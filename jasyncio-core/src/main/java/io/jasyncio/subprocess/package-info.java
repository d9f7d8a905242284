/**
 * Child processes with asynchronous pipes, as asyncio's subprocess support: an
 * {@link io.jasyncio.subprocess.AsyncProcess} whose stdin, stdout and stderr are streams
 * ({@link io.jasyncio.subprocess.Subprocess#createSubprocessExec},
 * {@link io.jasyncio.subprocess.Subprocess#createSubprocessShell}), and underneath it the
 * framework layer of a {@link io.jasyncio.subprocess.SubprocessTransport} and a
 * {@link io.jasyncio.subprocess.SubprocessProtocol}
 * ({@link io.jasyncio.subprocess.Subprocess#subprocessExec}).
 *
 * <p>Java's pipes to a child are blocking streams, not selectable channels, so each pipe has a
 * thread of its own that does the blocking reads or writes and hands data to the loop through
 * {@code callSoonThreadsafe}; flow control holds it back, so memory stays bounded. Everything
 * else happens on the loop, one callback at a time. See {@code docs/subprocess.md}.
 */
package io.jasyncio.subprocess;
