/**
 * Queues between tasks, as asyncio's: {@link io.jasyncio.queues.AsyncQueue} (FIFO),
 * {@link io.jasyncio.queues.AsyncLifoQueue}, {@link io.jasyncio.queues.AsyncPriorityQueue}, with
 * {@code maxsize}, {@code put}/{@code get} and their no-wait forms, {@code taskDone}/{@code join},
 * and {@code shutdown} (Python 3.13). And {@link io.jasyncio.queues.JanusQueue}: one bounded queue
 * with a blocking side for threads and an awaiting side for tasks.
 *
 * <p>A queue belongs to the loop that first uses it and is not thread-safe (except the Janus
 * queue's thread side). {@code put} and {@code get} are cancellation points; cancelling one never
 * loses an item: a cancelled {@code get} has taken nothing, a cancelled {@code put} has added
 * nothing, and a waiter cancelled as it is woken passes its turn on. Items may not be null.
 */
package io.jasyncio.queues;
