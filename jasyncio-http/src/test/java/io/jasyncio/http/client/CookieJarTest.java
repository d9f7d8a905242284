package io.jasyncio.http.client;

import static io.jasyncio.http.client.TestServer.respond;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.test.AsyncioTest;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** RFC 6265 domain and path rules of {@link CookieJar}, and the session sending and storing cookies. */
class CookieJarTest {
    private static URI u(String s) {
        return URI.create(s);
    }

    @Test
    void hostOnlyAndDomainCookies() {
        CookieJar jar = CookieJar.create();
        jar.add(u("http://www.example.com/"), "host=1");
        jar.add(u("http://www.example.com/"), "dom=2; Domain=.example.com");
        jar.add(u("http://www.example.com/"), "other=3; Domain=example.org");   // not ours: refused
        jar.add(u("http://www.example.com/"), "tld=4; Domain=com");             // top-level: refused
        assertEquals("host=1; dom=2", jar.header(u("http://www.example.com/x")));
        assertEquals("dom=2", jar.header(u("http://api.example.com/")));
        assertEquals("dom=2", jar.header(u("http://example.com/")));
        assertNull(jar.header(u("http://notexample.com/")));
        assertEquals(2, jar.cookies().size());
    }

    @Test
    void pathsMatchBySegmentAndLongerPathsComeFirst() {
        CookieJar jar = CookieJar.create();
        jar.add(u("http://h.test/docs/index.html"), "a=1");                // default path /docs
        jar.add(u("http://h.test/"), "b=2; Path=/docs/api");
        jar.add(u("http://h.test/"), "c=3; Path=/");
        assertEquals("b=2; a=1; c=3", jar.header(u("http://h.test/docs/api/x")));
        assertEquals("a=1; c=3", jar.header(u("http://h.test/docs")));
        assertEquals("c=3", jar.header(u("http://h.test/docsearch")), "no match inside a segment");
    }

    @Test
    void secureExpiryAndReplacement() {
        CookieJar jar = CookieJar.create();
        jar.add(u("https://h.test/"), "s=1; Secure; HttpOnly");
        jar.add(u("https://h.test/"), "gone=1; Max-Age=0");
        jar.add(u("https://h.test/"), "old=1; Expires=Wed, 21-Oct-2015 07:28:00 GMT");
        jar.add(u("https://h.test/"), "v=1");
        jar.add(u("https://h.test/"), "v=2; Max-Age=3600");
        assertEquals("s=1; v=2", jar.header(u("https://h.test/")));
        assertEquals("v=2", jar.header(u("http://h.test/")), "secure only over https");
        jar.add(u("https://h.test/"), "v=0; Max-Age=-1");
        assertEquals("s=1", jar.header(u("https://h.test/")), "a past Max-Age deletes");
    }

    @Test
    void ipHostsOnlyInAnUnsafeJar() {
        CookieJar safe = CookieJar.create();
        safe.add(u("http://127.0.0.1:8080/"), "a=1");
        assertTrue(safe.isEmpty());
        CookieJar unsafe = CookieJar.unsafe();
        unsafe.add(u("http://127.0.0.1:8080/"), "a=1");
        assertEquals("a=1", unsafe.header(u("http://127.0.0.1:8080/x")));
    }

    @AsyncioTest
    void theSessionStoresAndSendsCookiesAcrossRedirects() throws Exception {
        try (TestServer s = TestServer.start((r, w, in) -> {
                    switch (r.target()) {
                        case "/login" -> respond(w, 302, "", "Set-Cookie", "sid=abc; Path=/; HttpOnly",
                                "Location", "/me");
                        default -> respond(w, 200, "cookie=" + r.header("Cookie"));
                    }
                    return true;
                });
             ClientSession session = ClientSession.builder().cookieJar(CookieJar.unsafe()).build()) {
            try (ClientResponse r = session.get(s.url("/login"))) {
                assertEquals("cookie=sid=abc", r.text());
            }
            try (ClientResponse r = session.get(s.url("/again"))) {
                assertEquals("cookie=sid=abc", r.text());
            }
            assertEquals(1, session.cookieJar().cookies().size());
        }
    }
}
