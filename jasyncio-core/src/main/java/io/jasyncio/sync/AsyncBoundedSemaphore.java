package io.jasyncio.sync;

/**
 * A semaphore that refuses to be released more times than it was acquired: asyncio's
 * {@code BoundedSemaphore}. An extra {@link #release()} is an {@link IllegalStateException}
 * (asyncio's ValueError), which catches the classic bug of releasing twice.
 */
public final class AsyncBoundedSemaphore extends AsyncSemaphore {
    private final int bound;

    /**
     * A bounded semaphore with {@code permits} permits. Mirrors asyncio's
     * {@code BoundedSemaphore(value)}.
     *
     * @param permits how many permits there are, and the most there may ever be
     */
    public AsyncBoundedSemaphore(int permits) {
        super(permits);
        this.bound = permits;
    }

    /**
     * Gives a permit back.
     *
     * @throws IllegalStateException if that would make more permits than the semaphore started with
     */
    @Override
    public void release() {
        binding.loop();
        if (value >= bound) {
            throw new IllegalStateException("BoundedSemaphore released too many times (it has all its " + bound + " permits)");
        }
        super.release();
    }
}
