package io.jasyncio.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Ready-made {@link SSLContext}s for the common cases, the way {@code ssl.create_default_context}
 * and {@code load_cert_chain} / {@code load_verify_locations} are used with asyncio. Every context
 * verifies the peer's certificate chain; there is deliberately no "trust everything" variant (to
 * switch off only the host-name check, pass an empty {@code serverHostname}).
 *
 * <p>The key and trust stores may be PKCS#12 or JKS files (the type is detected from the content).
 * These methods block: opening a PKCS#12 store runs a deliberately slow key derivation (a few
 * hundred milliseconds on a cold JVM). Build contexts before the loop runs, or in
 * {@link io.jasyncio.Asyncio#toThread}, not in a task or callback. A context is thread-safe and
 * is meant to be shared by every connection.
 */
public final class TlsContexts {
    private TlsContexts() {}

    /**
     * A client context that trusts the JDK's default certificate authorities (its
     * {@code cacerts}, or what {@code javax.net.ssl.trustStore} names): asyncio's
     * {@code ssl.create_default_context()}.
     *
     * @return the JDK's default context
     * @throws GeneralSecurityException if the JDK's default context cannot be built
     */
    public static SSLContext client() throws GeneralSecurityException {
        return SSLContext.getDefault();
    }

    /**
     * A client context that trusts the certificates of a trust store (and nothing else).
     *
     * @param trustStore a PKCS#12 or JKS file of trusted certificates
     * @param password its password; null skips the integrity check (certificates only)
     * @return a new context
     * @throws IOException if the file cannot be read or the password is wrong
     * @throws GeneralSecurityException if the store cannot be used
     */
    public static SSLContext client(Path trustStore, char[] password) throws IOException, GeneralSecurityException {
        return context(null, null, load(trustStore, password));
    }

    /**
     * A client context that trusts the certificates of a PEM file (one or more
     * {@code -----BEGIN CERTIFICATE-----} blocks, as {@code load_verify_locations(cafile=...)}).
     *
     * @param pemCertificates the trusted certificates, usually a CA's
     * @return a new context
     * @throws IOException if the file cannot be read
     * @throws GeneralSecurityException if it holds no certificate or a malformed one
     */
    public static SSLContext clientTrusting(Path pemCertificates) throws IOException, GeneralSecurityException {
        return context(null, null, trustStoreOf(pemCertificates));
    }

    /**
     * A server context whose certificate and private key come from a key store (the
     * {@code load_cert_chain} of asyncio servers). The store must hold one private key entry, with
     * its certificate chain; its password opens both the store and the key.
     *
     * @param keyStore a PKCS#12 or JKS file
     * @param password the store's (and key's) password
     * @return a new context
     * @throws IOException if the file cannot be read or the password is wrong
     * @throws GeneralSecurityException if the store holds no usable key
     */
    public static SSLContext server(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
        return context(load(keyStore, password), password, null);
    }

    /**
     * A context with both a key store (its own certificate, as a server or as a client presenting
     * a certificate) and a trust store (whom it trusts).
     *
     * @param keyStore a PKCS#12 or JKS file holding a private key and its chain
     * @param keyPassword its password
     * @param trustStore a PKCS#12 or JKS file of trusted certificates; null for the JDK's defaults
     * @param trustPassword its password, or null
     * @return a new context
     * @throws IOException if a file cannot be read or a password is wrong
     * @throws GeneralSecurityException if a store cannot be used
     */
    public static SSLContext of(Path keyStore, char[] keyPassword, Path trustStore, char[] trustPassword)
            throws IOException, GeneralSecurityException {
        return context(load(keyStore, keyPassword), keyPassword,
                trustStore == null ? null : load(trustStore, trustPassword));
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        return KeyStore.getInstance(file.toFile(), password);
    }

    private static KeyStore trustStoreOf(Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new java.security.cert.CertificateException("no certificate in " + pem);
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("cert-" + i++, c);
        }
        return ks;
    }

    private static SSLContext context(KeyStore keys, char[] keyPassword, KeyStore trust)
            throws GeneralSecurityException {
        KeyManagerFactory kmf = null;
        if (keys != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, keyPassword);
        }
        TrustManagerFactory tmf = null;
        if (trust != null) {
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return ctx;
    }
}
