package io.jasyncio.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeadersTest {

    @Test
    void caseInsensitiveOrderedMultiMap() {
        Headers h = Headers.of("Host", "a", "Accept", "x", "accept", "y", "X-Z", "1");
        assertEquals("a", h.get("HOST"));
        assertEquals(List.of("x", "y"), h.getAll("ACCEPT"));
        assertTrue(h.contains("x-z"));
        assertNull(h.get("missing"));
        assertEquals(List.of(), h.getAll("missing"));
        assertEquals("accept", h.name(2), "the original case is kept");
    }

    @Test
    void setReplacesAllAtTheFirstPlace() {
        Headers h = Headers.of("A", "1", "B", "2", "a", "3");
        h.set("a", "9");
        assertEquals("[a: 9, B: 2]", h.toString());
        h.set("C", "new");
        assertEquals("[a: 9, B: 2, C: new]", h.toString());
    }

    @Test
    void removeAndGrow() {
        Headers h = new Headers(1);
        for (int i = 0; i < 20; i++) {
            h.add(i % 2 == 0 ? "Even" : "odd", Integer.toString(i));
        }
        assertEquals(10, h.remove("EVEN"));
        assertEquals(10, h.size());
        assertFalse(h.contains("even"));
        assertEquals("1", h.value(0));
    }

    @Test
    void tokensInLists() {
        Headers h = Headers.of("Connection", "keep-alive,  Upgrade ", "connection", "x");
        assertTrue(h.containsToken("connection", "upgrade"));
        assertTrue(h.containsToken("connection", "X"));
        assertFalse(h.containsToken("connection", "close"));
        assertFalse(Headers.of("Connection", "closed").containsToken("Connection", "close"));
    }

    @Test
    void copyIsIndependentAndEqual() {
        Headers h = Headers.of("A", "1");
        Headers c = h.copy();
        assertEquals(h, c);
        assertEquals(h.hashCode(), Headers.of("a", "1").hashCode());
        c.add("B", "2");
        assertEquals(1, h.size());
    }
}
