package io.jasyncio.http.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable multimap of names to values in the order they came, as a query string or a form
 * has them (aiohttp's {@code MultiDictProxy}). Names are case-sensitive.
 *
 * @param <V> the value type ({@code String} for queries; {@code Object} for forms, whose file
 *            fields are {@link FileField}s)
 */
public final class MultiMap<V> {
    private static final MultiMap<?> EMPTY = new MultiMap<>(Map.of());

    private final Map<String, List<V>> map;

    MultiMap(Map<String, List<V>> map) {
        this.map = map;
    }

    @SuppressWarnings("unchecked")
    static <V> MultiMap<V> empty() {
        return (MultiMap<V>) EMPTY;
    }

    static <V> MultiMap<V> of(List<String> names, List<V> values) {
        if (names.isEmpty()) {
            return empty();
        }
        Map<String, List<V>> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.computeIfAbsent(names.get(i), k -> new ArrayList<>(1)).add(values.get(i));
        }
        for (Map.Entry<String, List<V>> e : m.entrySet()) {
            e.setValue(Collections.unmodifiableList(e.getValue()));
        }
        return new MultiMap<>(Collections.unmodifiableMap(m));
    }

    /** The first value of {@code name}, or null. */
    public V get(String name) {
        List<V> l = map.get(name);
        return l == null ? null : l.get(0);
    }

    /** The first value of {@code name}, or {@code fallback}. */
    public V getOrDefault(String name, V fallback) {
        V v = get(name);
        return v == null ? fallback : v;
    }

    /** Every value of {@code name}, in order (empty if none). */
    public List<V> getAll(String name) {
        List<V> l = map.get(name);
        return l == null ? List.of() : l;
    }

    /** Whether {@code name} has a value. */
    public boolean contains(String name) {
        return map.containsKey(name);
    }

    /** The names, in the order of their first value. */
    public Set<String> names() {
        return map.keySet();
    }

    /** The number of distinct names. */
    public int size() {
        return map.size();
    }

    /** Whether there are no values. */
    public boolean isEmpty() {
        return map.isEmpty();
    }

    /** The map of names to their values. */
    public Map<String, List<V>> asMap() {
        return map;
    }

    @Override
    public String toString() {
        return map.toString();
    }
}
