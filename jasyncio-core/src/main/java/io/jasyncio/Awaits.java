package io.jasyncio;

import java.util.Collection;
import java.util.List;

/**
 * Describes, for task dumps, what a future a task waits on stands for, and which other futures
 * (usually tasks) waiting on it amounts to: a gather's children, a task group's members, the inner
 * future of a shield. Used as a future's label.
 */
interface Awaits {
    /** @return a short description, such as {@code gather of 3} */
    String describe();

    /** @return the futures that waiting on this one amounts to waiting on */
    Collection<? extends AsyncFuture<?>> awaited();

    /** A label that names one awaited future. */
    static Awaits of(String what, AsyncFuture<?> f) {
        return new Fixed(what, List.of(f));
    }

    /** A label that names several awaited futures. */
    static Awaits of(String what, Collection<? extends AsyncFuture<?>> fs) {
        return new Fixed(what, fs);
    }

    /** A label whose description and awaited futures are given once. */
    record Fixed(String describe, Collection<? extends AsyncFuture<?>> awaited) implements Awaits {
    }
}
