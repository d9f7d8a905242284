package io.jasyncio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A set of {@link ContextVar} values: Python's {@code contextvars.Context}. Every task runs in its
 * own context, a copy of its creator's taken when the task was created; every callback runs in a
 * copy of the context that scheduled it; other threads each have their own. So a value set by a
 * task is seen by the code it calls and by the tasks and callbacks it starts, and never by a
 * sibling.
 *
 * <p>A context holds an immutable mapping, so copying one is cheap; {@link ContextVar#set} in a
 * context replaces its mapping. Not thread-safe: a context is used by one task or thread at a time.
 */
public final class Context {
    private static final ThreadLocal<Context> OFF_LOOP = ThreadLocal.withInitial(Context::new);

    /** Immutable: variables and values side by side. */
    Object[] vars;
    Object[] values;

    static final Object[] NONE = new Object[0];

    /** An empty context. */
    public Context() {
        this(NONE, NONE);
    }

    Context(Object[] vars, Object[] values) {
        this.vars = vars;
        this.values = values;
    }

    /**
     * A copy of the context the calling code runs in. Mirrors {@code contextvars.copy_context()}.
     *
     * @return the copy
     */
    public static Context copyCurrent() {
        return current().copy();
    }

    /** {@return a context with the same values (cheap: the mapping is shared until one of them changes)} */
    public Context copy() {
        return new Context(vars, values);
    }

    /** The context the calling code runs in: its task's, its callback's, or its thread's. */
    static Context current() {
        EventLoop l = EventLoop.ownedBy(Thread.currentThread());
        if (l != null) {
            Context c = l.currentContext();
            if (c != null) {
                return c;
            }
        }
        return OFF_LOOP.get();
    }

    /**
     * Runs {@code body} in this context: the values it reads and sets are this context's. Mirrors
     * {@code Context.run}. On a loop, the task or callback's own context comes back afterwards.
     *
     * @param <T> the result type
     * @param body what to run
     * @return its result
     */
    public <T> T run(Callable<? extends T> body) {
        Objects.requireNonNull(body, "body");
        EventLoop l = EventLoop.ownedBy(Thread.currentThread());
        boolean onLoop = l != null && l.currentContext() != null;
        Context saved = onLoop ? l.currentContext() : OFF_LOOP.get();
        enter(l, onLoop, this);
        try {
            return body.call();
        } catch (Exception e) {
            throw Sneaky.<RuntimeException>rethrow(e);
        } finally {
            enter(l, onLoop, saved);
        }
    }

    /** Makes {@code c} current: the running task's or callback's context on a loop, else the thread's. */
    private static void enter(EventLoop l, boolean onLoop, Context c) {
        if (onLoop) {
            l.setCurrentContext(c);
        } else {
            OFF_LOOP.set(c);
        }
    }

    /**
     * Runs {@code body}, which returns nothing, in this context.
     *
     * @param body what to run
     */
    public void run(CheckedRunnable body) {
        run(EventLoop.asCallable(body));
    }

    int indexOf(ContextVar<?> var) {
        Object[] v = vars;
        for (int i = 0; i < v.length; i++) {
            if (v[i] == var) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The value of {@code var} in this context.
     *
     * @param <T> the value type
     * @param var the variable
     * @return its value here, or {@code null} if it has none (its default does not count)
     */
    @SuppressWarnings("unchecked")
    public <T> T get(ContextVar<T> var) {
        int i = indexOf(var);
        return i < 0 ? null : (T) values[i];
    }

    /**
     * Whether {@code var} has a value in this context.
     *
     * @param var the variable
     * @return whether it is set here
     */
    public boolean contains(ContextVar<?> var) {
        return indexOf(var) >= 0;
    }

    /** {@return the variables set in this context} */
    public List<ContextVar<?>> vars() {
        List<ContextVar<?>> out = new ArrayList<>(vars.length);
        for (Object v : vars) {
            out.add((ContextVar<?>) v);
        }
        return Collections.unmodifiableList(out);
    }

    /** {@return how many variables are set in this context} */
    public int size() {
        return vars.length;
    }

    /** Replaces the mapping with one where {@code var} has {@code value} (or none, if {@code remove}). */
    void put(ContextVar<?> var, Object value, boolean remove) {
        int i = indexOf(var);
        Object[] k = vars;
        Object[] v = values;
        if (remove) {
            if (i < 0) {
                return;
            }
            Object[] nk = new Object[k.length - 1];
            Object[] nv = new Object[k.length - 1];
            System.arraycopy(k, 0, nk, 0, i);
            System.arraycopy(v, 0, nv, 0, i);
            System.arraycopy(k, i + 1, nk, i, k.length - i - 1);
            System.arraycopy(v, i + 1, nv, i, k.length - i - 1);
            vars = nk;
            values = nv;
        } else if (i >= 0) {
            Object[] nv = v.clone();
            nv[i] = value;
            values = nv;
        } else {
            Object[] nk = java.util.Arrays.copyOf(k, k.length + 1);
            Object[] nv = java.util.Arrays.copyOf(v, v.length + 1);
            nk[k.length] = var;
            nv[v.length] = value;
            vars = nk;
            values = nv;
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Context{");
        for (int i = 0; i < vars.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(((ContextVar<?>) vars[i]).name()).append('=').append(values[i]);
        }
        return sb.append('}').toString();
    }
}
