package io.jasyncio.internal;

import io.jasyncio.EventLoop;
import io.jasyncio.Task;

/**
 * Binds a waiting primitive (a lock, a queue, a channel) to the loop it is first used on, as
 * asyncio's primitives do: using it later from another loop is a clear error, not a silent hang.
 */
public final class LoopBinding {
    private final Object owner;
    private EventLoop loop;

    /**
     * @param owner the primitive, for messages
     */
    public LoopBinding(Object owner) {
        this.owner = owner;
    }

    /**
     * The loop the calling code runs on, which must be the primitive's.
     *
     * @return the loop
     * @throws IllegalStateException outside a loop, or on another loop than the first one used
     */
    public EventLoop loop() {
        EventLoop running = EventLoop.getRunningLoop();
        EventLoop l = loop;
        if (l == null) {
            loop = running;
        } else if (l != running) {
            throw new IllegalStateException(owner + " is bound to " + l + " and cannot be used from " + running);
        }
        return running;
    }

    /**
     * The task calling, on the primitive's loop.
     *
     * @param what the operation, for the message
     * @return the task
     * @throws IllegalStateException outside a task
     */
    public Task<?> task(String what) {
        loop();
        Task<?> t = Task.current();
        if (t == null) {
            throw new IllegalStateException("Cannot " + what + " outside a task (in a callback, or on a plain thread)");
        }
        return t;
    }

    /** @return the loop bound so far, or {@code null} */
    public EventLoop boundLoop() {
        return loop;
    }
}
