package io.jasyncio;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an {@link ExceptionHandler} is told: a message, and where present the exception, the
 * future or task, and the handle involved, plus free-form extras. Mirrors the context dict of
 * asyncio's exception handlers ({@code message}, {@code exception}, {@code future}, {@code task},
 * {@code handle}, ...). Immutable.
 */
public final class ExceptionContext {
    private final String message;
    private final Throwable exception;
    private final AsyncFuture<?> future;
    private final Handle handle;
    private final Map<String, Object> extras;

    private ExceptionContext(Builder b) {
        this.message = b.message;
        this.exception = b.exception;
        this.future = b.future;
        this.handle = b.handle;
        this.extras = Map.copyOf(b.extras);
    }

    /**
     * Starts a context with its message.
     *
     * @param message what happened
     * @return a builder
     */
    public static Builder builder(String message) {
        return new Builder(message);
    }

    /** {@return what happened} */
    public String message() {
        return message;
    }

    /** {@return the exception, or {@code null}} */
    public Throwable exception() {
        return exception;
    }

    /** {@return the future or task involved, or {@code null}} */
    public AsyncFuture<?> future() {
        return future;
    }

    /** {@return the future involved if it is a task, else {@code null}} */
    public Task<?> task() {
        return future instanceof Task<?> t ? t : null;
    }

    /** {@return the callback handle involved, or {@code null}} */
    public Handle handle() {
        return handle;
    }

    /** {@return other details, by name (never {@code null})} */
    public Map<String, Object> extras() {
        return extras;
    }

    /** {@return a builder holding this context's contents} */
    public Builder toBuilder() {
        Builder b = new Builder(message).exception(exception).future(future).handle(handle);
        b.extras.putAll(extras);
        return b;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(message);
        if (future != null) {
            sb.append("\n  ").append(future instanceof Task ? "task: " : "future: ").append(future);
        }
        if (handle != null) {
            sb.append("\n  handle: ").append(handle);
        }
        extras.forEach((k, v) -> sb.append("\n  ").append(k).append(": ").append(v));
        return sb.toString();
    }

    /** Builds an {@link ExceptionContext}. */
    public static final class Builder {
        private final String message;
        private Throwable exception;
        private AsyncFuture<?> future;
        private Handle handle;
        private final Map<String, Object> extras = new LinkedHashMap<>();

        private Builder(String message) {
            this.message = Objects.requireNonNull(message, "message");
        }

        /**
         * Sets the exception the report carries (the default handler prints its stack trace).
         *
         * @param e the exception
         * @return this builder
         */
        public Builder exception(Throwable e) {
            this.exception = e;
            return this;
        }

        /**
         * Sets the future or task the report is about.
         *
         * @param f the future or task
         * @return this builder
         */
        public Builder future(AsyncFuture<?> f) {
            this.future = f;
            return this;
        }

        /**
         * Sets the callback handle the report is about.
         *
         * @param h the handle
         * @return this builder
         */
        public Builder handle(Handle h) {
            this.handle = h;
            return this;
        }

        /**
         * Adds a detail.
         *
         * @param key its name
         * @param value its value, not {@code null}
         * @return this builder
         */
        public Builder extra(String key, Object value) {
            extras.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        /** {@return the context} */
        public ExceptionContext build() {
            return new ExceptionContext(this);
        }
    }
}
