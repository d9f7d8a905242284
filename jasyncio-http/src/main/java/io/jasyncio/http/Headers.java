package io.jasyncio.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The header (or trailer) fields of a message: an ordered multi-map whose names compare
 * case-insensitively (ASCII), keeping every field in the order received with its name's original
 * case, duplicates included. Field {@code i} is {@link #name(int)} / {@link #value(int)}.
 *
 * <p>Instances are mutable and not thread-safe, like a builder: the parser fills one per message
 * and hands it over; a handler may then edit it. Names and values are kept as ISO-8859-1 text:
 * each {@code char} is one byte on the wire. The serializer checks what it writes (a name must be
 * a token, a value must not contain CR, LF or other control characters), so an edited header
 * cannot split a message.
 */
public final class Headers {
    private String[] names;
    private String[] values;
    private int size;

    /** An empty set of fields. */
    public Headers() {
        this(8);
    }

    /** An empty set of fields with room for {@code capacity} before growing. */
    public Headers(int capacity) {
        names = new String[Math.max(capacity, 1)];
        values = new String[names.length];
    }

    /** The fields given as alternating names and values: {@code Headers.of("Host", "a", "Accept", "*&#47;*")}. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must alternate");
        }
        Headers h = new Headers(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }

    /** The number of fields, duplicates counted. */
    public int size() {
        return size;
    }

    /** Whether there is no field. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** The name of field {@code i}, as sent. */
    public String name(int i) {
        Objects.checkIndex(i, size);
        return names[i];
    }

    /** The value of field {@code i}, without leading or trailing whitespace. */
    public String value(int i) {
        Objects.checkIndex(i, size);
        return values[i];
    }

    /** The value of the first field named {@code name} (any case), or null. */
    public String get(String name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : values[i];
    }

    /** The values of every field named {@code name} (any case), in order; empty if none. */
    public List<String> getAll(String name) {
        List<String> out = new ArrayList<>(2);
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            out.add(values[i]);
        }
        return out;
    }

    /** Whether a field named {@code name} (any case) is present. */
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    /**
     * Whether a field named {@code name} has {@code token} (any case) among its comma-separated
     * elements, as in {@code containsToken("Connection", "close")}; the fields' values are read
     * as one list (RFC 9110 section 5.3).
     */
    public boolean containsToken(String name, String token) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (listContains(values[i], token)) {
                return true;
            }
        }
        return false;
    }

    /** The index of the first field named {@code name} (any case) at or after {@code from}, or -1. */
    public int indexOf(String name, int from) {
        for (int i = Math.max(from, 0); i < size; i++) {
            if (equalsIgnoreCase(names[i], name)) {
                return i;
            }
        }
        return -1;
    }

    /** Appends a field, after any others of the same name; returns this. */
    public Headers add(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (size == names.length) {
            int n = size * 2;
            names = Arrays.copyOf(names, n);
            values = Arrays.copyOf(values, n);
        }
        names[size] = name;
        values[size] = value;
        size++;
        return this;
    }

    /**
     * Replaces every field named {@code name} (any case) by one with this value, at the place of
     * the first (appended if there was none); returns this.
     */
    public Headers set(String name, String value) {
        Objects.requireNonNull(value, "value");
        int i = indexOf(name, 0);
        if (i < 0) {
            return add(name, value);
        }
        names[i] = name;
        values[i] = value;
        removeFrom(name, i + 1);
        return this;
    }

    /** Removes every field named {@code name} (any case); returns how many were removed. */
    public int remove(String name) {
        return removeFrom(name, 0);
    }

    /** Removes every field. */
    public void clear() {
        Arrays.fill(names, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
    }

    /** Calls {@code action} with each field's name and value, in order. */
    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < size; i++) {
            action.accept(names[i], values[i]);
        }
    }

    /** An independent copy. */
    public Headers copy() {
        Headers h = new Headers(Math.max(size, 1));
        System.arraycopy(names, 0, h.names, 0, size);
        System.arraycopy(values, 0, h.values, 0, size);
        h.size = size;
        return h;
    }

    private int removeFrom(String name, int from) {
        int w = from;
        int removed = 0;
        for (int r = from; r < size; r++) {
            if (equalsIgnoreCase(names[r], name)) {
                removed++;
            } else {
                names[w] = names[r];
                values[w] = values[r];
                w++;
            }
        }
        Arrays.fill(names, w, size, null);
        Arrays.fill(values, w, size, null);
        size = w;
        return removed;
    }

    /** Whether two names are equal ignoring ASCII case (field names are ASCII tokens). */
    static boolean equalsIgnoreCase(String a, String b) {
        if (a == b) {
            return true;
        }
        int n = a.length();
        if (n != b.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (x >= 'A' && x <= 'Z') {
                    x += 32;
                }
                if (y >= 'A' && y <= 'Z') {
                    y += 32;
                }
                if (x != y) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the comma-separated list {@code value} has the element {@code token}, ignoring case and whitespace. */
    static boolean listContains(String value, String token) {
        int n = value.length();
        int i = 0;
        while (i < n) {
            while (i < n && (value.charAt(i) == ' ' || value.charAt(i) == '\t' || value.charAt(i) == ',')) {
                i++;
            }
            int start = i;
            while (i < n && value.charAt(i) != ',') {
                i++;
            }
            int end = i;
            while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
                end--;
            }
            if (end - start == token.length() && value.regionMatches(true, start, token, 0, end - start)) {
                return true;
            }
        }
        return false;
    }

    /** Equal when both have the same fields in the same order, names compared ignoring case. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Headers h) || h.size != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!equalsIgnoreCase(names[i], h.names[i]) || !values[i].equals(h.values[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = size;
        for (int i = 0; i < size; i++) {
            h = 31 * h + names[i].length();
            h = 31 * h + values[i].hashCode();
        }
        return h;
    }

    /** The fields as {@code [Name: value, ...]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(names[i]).append(": ").append(values[i]);
        }
        return sb.append(']').toString();
    }
}
