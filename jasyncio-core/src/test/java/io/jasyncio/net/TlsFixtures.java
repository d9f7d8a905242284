package io.jasyncio.net;

import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/** The test certificates of src/test/resources/tls (see its README) as contexts and paths. */
final class TlsFixtures {
    private TlsFixtures() {}

    static final Path DIR = Path.of("src/test/resources/tls").toAbsolutePath();
    static final Path CA_PEM = DIR.resolve("ca.pem");
    static final Path CERT_PEM = DIR.resolve("localhost.pem");
    static final Path KEY_PEM = DIR.resolve("localhost.key");
    static final char[] PASSWORD = "changeit".toCharArray();

    private static SSLContext server;
    private static SSLContext client;

    /** The server's context: the localhost certificate, signed by the test CA. */
    static synchronized SSLContext server() {
        if (server == null) {
            server = unchecked(() -> TlsContexts.server(DIR.resolve("localhost.p12"), PASSWORD));
        }
        return server;
    }

    /** A client context that trusts the test CA only. */
    static synchronized SSLContext client() {
        if (client == null) {
            client = unchecked(() -> TlsContexts.client(DIR.resolve("truststore.p12"), PASSWORD));
        }
        return client;
    }

    interface Call<T> {
        T call() throws Exception;
    }

    static <T> T unchecked(Call<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
