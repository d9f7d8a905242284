package io.jasyncio;

import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Several exceptions raised together, the way a {@link TaskGroup} reports every failure of its
 * children and of its body. Mirrors Python's {@code ExceptionGroup}/{@code BaseExceptionGroup}:
 * the group keeps its tree shape (a member may itself be a group), and {@link #subgroup} and
 * {@link #split} select members by type or predicate the way {@code except*} does.
 *
 * <p>Members are also attached as {@linkplain #getSuppressed() suppressed} exceptions, so a printed
 * stack trace shows all of them.
 */
public class ExceptionGroup extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The message given at construction, without the member count. */
    private final String groupMessage;
    /** The members, in order; never empty. */
    private final List<Throwable> exceptions;

    /**
     * A group of one or more exceptions.
     *
     * @param message what the exceptions have in common
     * @param exceptions the members, at least one, none {@code null}
     * @throws IllegalArgumentException if {@code exceptions} is empty
     */
    public ExceptionGroup(String message, List<? extends Throwable> exceptions) {
        super(describe(message, exceptions));
        this.groupMessage = message;
        this.exceptions = List.copyOf(exceptions);
        for (Throwable t : this.exceptions) {
            addSuppressed(t);
        }
    }

    private static String describe(String message, List<? extends Throwable> exceptions) {
        Objects.requireNonNull(exceptions, "exceptions");
        if (exceptions.isEmpty()) {
            throw new IllegalArgumentException("an ExceptionGroup needs at least one exception");
        }
        int n = exceptions.size();
        return message + " (" + n + " sub-exception" + (n == 1 ? "" : "s") + ")";
    }

    /**
     * The message this group was made with, without the member count.
     *
     * @return the message
     */
    public String groupMessage() {
        return groupMessage;
    }

    /**
     * The direct members, in the order they were raised.
     *
     * @return an immutable list
     */
    public List<Throwable> exceptions() {
        return exceptions;
    }

    /**
     * Every non-group exception in the tree, depth first.
     *
     * @return a new list
     */
    public List<Throwable> leaves() {
        List<Throwable> out = new ArrayList<>();
        collectLeaves(this, out);
        return out;
    }

    private static void collectLeaves(ExceptionGroup g, List<Throwable> out) {
        for (Throwable t : g.exceptions) {
            if (t instanceof ExceptionGroup sub) {
                collectLeaves(sub, out);
            } else {
                out.add(t);
            }
        }
    }

    /**
     * The members that are instances of {@code type}, keeping the tree shape.
     *
     * @param type the exception type to keep
     * @return a group of the matching members, this group if all match, or {@code null} if none
     */
    public ExceptionGroup subgroup(Class<? extends Throwable> type) {
        return subgroup(type::isInstance);
    }

    /**
     * The members (and nested groups) that satisfy {@code condition}, keeping the tree shape. As in
     * Python, the condition is tried on a nested group as a whole before its members.
     *
     * @param condition what to keep
     * @return a group of the matching members, this group if all match, or {@code null} if none
     */
    public ExceptionGroup subgroup(Predicate<? super Throwable> condition) {
        return split(condition).matched();
    }

    /**
     * Splits this group into the members that are instances of {@code type} and the rest.
     *
     * @param type the exception type to match
     * @return both parts; either may be {@code null}
     */
    public Split split(Class<? extends Throwable> type) {
        return split(type::isInstance);
    }

    /**
     * Splits this group into the members that satisfy {@code condition} and the rest, keeping the
     * tree shape on both sides.
     *
     * @param condition what to match
     * @return both parts; either may be {@code null}
     */
    public Split split(Predicate<? super Throwable> condition) {
        Objects.requireNonNull(condition, "condition");
        if (condition.test(this)) {
            return new Split(this, null);
        }
        List<Throwable> matched = new ArrayList<>();
        List<Throwable> rest = new ArrayList<>();
        for (Throwable t : exceptions) {
            if (t instanceof ExceptionGroup sub) {
                Split s = sub.split(condition);
                if (s.matched() != null) {
                    matched.add(s.matched());
                }
                if (s.rest() != null) {
                    rest.add(s.rest());
                }
            } else if (condition.test(t)) {
                matched.add(t);
            } else {
                rest.add(t);
            }
        }
        ExceptionGroup m = matched.isEmpty() ? null
                : matched.size() == exceptions.size() && rest.isEmpty() ? this : derive(matched);
        ExceptionGroup r = rest.isEmpty() ? null
                : rest.size() == exceptions.size() && matched.isEmpty() ? this : derive(rest);
        return new Split(m, r);
    }

    /**
     * A group with the same message and the given members; {@link #split} and {@link #subgroup}
     * use it to build their parts. The new group's cause is this group's cause.
     *
     * @param members the members of the new group
     * @return the new group
     */
    public ExceptionGroup derive(List<? extends Throwable> members) {
        ExceptionGroup g = new ExceptionGroup(groupMessage, members);
        if (getCause() != null) {
            g.initCause(getCause());
        }
        return g;
    }

    /**
     * The two parts of a {@link #split}.
     *
     * @param matched the members that matched, or {@code null}
     * @param rest the members that did not, or {@code null}
     */
    public record Split(ExceptionGroup matched, ExceptionGroup rest) {
    }
}
