package io.jasyncio;

import org.junit.jupiter.api.Test;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Python's ExceptionGroup: tree shape, split and subgroup by type or predicate. */
class ExceptionGroupTest {
    private final IOException io = new IOException("io");
    private final FileNotFoundException fnf = new FileNotFoundException("fnf");
    private final IllegalStateException ise = new IllegalStateException("ise");
    private final ExceptionGroup nested = new ExceptionGroup("inner", List.of(fnf, ise));
    private final ExceptionGroup group = new ExceptionGroup("outer", List.of(io, nested));

    @Test
    void shapeAndMessage() {
        assertEquals(List.of(io, nested), group.exceptions());
        assertEquals(List.of(io, fnf, ise), group.leaves());
        assertEquals("outer (2 sub-exceptions)", group.getMessage());
        assertEquals("outer", group.groupMessage());
        assertEquals(2, group.getSuppressed().length);
        assertThrows(IllegalArgumentException.class, () -> new ExceptionGroup("empty", List.of()));
        assertEquals("one (1 sub-exception)", new ExceptionGroup("one", List.of(io)).getMessage());
    }

    @Test
    void splitByTypeKeepsTheTree() {
        ExceptionGroup.Split s = group.split(IOException.class);
        assertEquals(List.of(io, fnf), s.matched().leaves());
        assertEquals(2, s.matched().exceptions().size());
        assertEquals("outer", s.matched().groupMessage());
        ExceptionGroup matchedInner = (ExceptionGroup) s.matched().exceptions().get(1);
        assertEquals("inner", matchedInner.groupMessage());
        assertEquals(List.of(ise), s.rest().leaves());
    }

    @Test
    void subgroupAllNoneAndPredicate() {
        assertSame(group, group.subgroup(Exception.class));
        assertNull(group.subgroup(ArithmeticException.class));
        assertEquals(List.of(ise), group.subgroup(e -> e.getMessage().equals("ise")).leaves());
        // A predicate that matches the nested group takes it whole.
        assertEquals(List.of(nested), group.subgroup(e -> e == nested).exceptions());
        ExceptionGroup.Split none = group.split(ArithmeticException.class);
        assertNull(none.matched());
        assertSame(group, none.rest());
    }

    @Test
    void deriveKeepsMessageAndCause() {
        ExceptionGroup g = new ExceptionGroup("msg", List.of(io));
        g.initCause(ise);
        ExceptionGroup d = g.derive(List.of(fnf));
        assertEquals("msg", d.groupMessage());
        assertSame(ise, d.getCause());
    }
}
