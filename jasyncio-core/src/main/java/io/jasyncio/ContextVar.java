package io.jasyncio;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A variable whose value depends on the task (or callback, or thread) reading it: Python's
 * {@code contextvars.ContextVar}. Each task starts with a copy of its creator's values, so a value
 * set in a task reaches the code it calls and the tasks it starts, and never its siblings; a
 * callback sees the values of the code that scheduled it. The asyncio use: a request id, a
 * deadline, a user, for every log line of a request, without passing them around.
 *
 * <pre>{@code
 * static final ContextVar<String> REQUEST = new ContextVar<>("request");
 * ...
 * REQUEST.set(id);                       // in the task handling the request
 * log.info("[{}] fetching", REQUEST.get());
 * }</pre>
 *
 * <p>Variables are compared by identity; create each once, in a static field.
 *
 * @param <T> the value type
 */
public final class ContextVar<T> {
    private static final Object NO_DEFAULT = new Object();

    private final String name;
    private final Object defaultValue;

    /**
     * A variable without a default: {@link #get()} throws until it is set.
     *
     * @param name its name, for messages
     */
    public ContextVar(String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultValue = NO_DEFAULT;
    }

    /**
     * A variable with a default value.
     *
     * @param name its name, for messages
     * @param defaultValue the value {@link #get()} returns where it is not set
     */
    public ContextVar(String name, T defaultValue) {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultValue = defaultValue;
    }

    /** {@return the variable's name} */
    public String name() {
        return name;
    }

    /**
     * The value in the current context, else the default.
     *
     * @return the value
     * @throws NoSuchElementException if it has neither (Python's {@code LookupError})
     */
    @SuppressWarnings("unchecked")
    public T get() {
        Context c = Context.current();
        int i = c.indexOf(this);
        if (i >= 0) {
            return (T) c.values[i];
        }
        if (defaultValue == NO_DEFAULT) {
            throw new NoSuchElementException("ContextVar '" + name + "' has no value in this context and no default");
        }
        return (T) defaultValue;
    }

    /**
     * The value in the current context, else the variable's default, else {@code fallback}.
     *
     * @param fallback what to return if neither exists
     * @return the value
     */
    @SuppressWarnings("unchecked")
    public T get(T fallback) {
        Context c = Context.current();
        int i = c.indexOf(this);
        if (i >= 0) {
            return (T) c.values[i];
        }
        return defaultValue == NO_DEFAULT ? fallback : (T) defaultValue;
    }

    /**
     * Sets the value in the current context.
     *
     * @param value the new value
     * @return a token to undo this with {@link #reset}
     */
    public Token<T> set(T value) {
        Context c = Context.current();
        int i = c.indexOf(this);
        Token<T> t = new Token<>(this, c, i >= 0 ? c.values[i] : Token.MISSING);
        c.put(this, value, false);
        return t;
    }

    /**
     * Undoes the {@link #set} that returned {@code token}: the variable gets back the value it had
     * before (or none).
     *
     * @param token the token
     * @throws IllegalStateException if the token was already used (Python's RuntimeError)
     * @throws IllegalArgumentException if it belongs to another variable or context (ValueError)
     */
    public void reset(Token<T> token) {
        Objects.requireNonNull(token, "token");
        if (token.used) {
            throw new IllegalStateException("Token has already been used once: " + token);
        }
        if (token.var != this) {
            throw new IllegalArgumentException("Token was created by a different ContextVar: " + token);
        }
        Context c = Context.current();
        if (token.context != c) {
            throw new IllegalArgumentException("Token was created in a different Context: " + token);
        }
        token.used = true;
        if (token.oldValue == Token.MISSING) {
            c.put(this, null, true);
        } else {
            c.put(this, token.oldValue, false);
        }
    }

    @Override
    public String toString() {
        return "ContextVar[" + name + (defaultValue == NO_DEFAULT ? "" : ", default=" + defaultValue) + "]";
    }

    /**
     * What {@link ContextVar#set} returns, to undo it: Python's {@code contextvars.Token}.
     *
     * @param <T> the value type
     */
    public static final class Token<T> {
        static final Object MISSING = new Object();

        final ContextVar<T> var;
        final Context context;
        final Object oldValue;
        boolean used;

        Token(ContextVar<T> var, Context context, Object oldValue) {
            this.var = var;
            this.context = context;
            this.oldValue = oldValue;
        }

        /** {@return the variable} */
        public ContextVar<T> var() {
            return var;
        }

        /** {@return whether the variable had a value before the set} */
        public boolean hadValue() {
            return oldValue != MISSING;
        }

        @Override
        public String toString() {
            return "Token[" + var.name() + (used ? ", used" : "") + "]";
        }
    }
}
