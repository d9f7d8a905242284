/**
 * Channels between tasks, and {@link io.jasyncio.channels.Select select} over several waits: what
 * Trio (memory channels) and Kotlin ({@code Channel}, {@code select}) give that asyncio lacks.
 *
 * <p>A {@link io.jasyncio.channels.Channel} is a queue that can be <em>closed</em>: receivers drain
 * what was sent, then {@code receive} throws {@link io.jasyncio.channels.ChannelClosedException}
 * and a for-each loop over the channel ends. With capacity 0 it is a rendezvous: a send waits for a
 * receiver. {@link io.jasyncio.channels.Select#select} waits for the first of several clauses
 * (a receive, a send, a future, a timeout) and runs that clause's handler; an item changes hands
 * only when its clause wins, so the clauses that did not fire lose nothing.
 *
 * <p>Everything here belongs to the loop that first uses it and is not thread-safe; the waiting
 * methods are cancellation points that lose nothing when cancelled.
 */
package io.jasyncio.channels;
