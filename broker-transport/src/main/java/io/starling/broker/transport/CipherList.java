package io.starling.broker.transport;

import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.internal.tcnative.SSL;
import io.netty.internal.tcnative.SSLContext;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Mosquitto's cipher options as the suite names Netty takes (the Java/IANA names, which both the
 * OpenSSL and the JDK provider accept).
 *
 * <p>{@code ciphers} is an OpenSSL cipher list: names, aliases ({@code HIGH}, {@code ECDHE}),
 * operators ({@code !aNULL}, {@code -SHA}, {@code +RSA}) and {@code @STRENGTH}. When OpenSSL (the
 * statically linked BoringSSL) is loaded, the library itself expands the list, so it means what it
 * means to mosquitto, within what BoringSSL implements; otherwise only plain cipher names can be
 * read. {@code ciphers_tls1.3} is a plain colon-separated list of TLS 1.3 suites.
 */
final class CipherList {
    /** Netty's default TLS 1.2 suites, used when only {@code ciphers_tls1.3} is set. */
    static final List<String> DEFAULT_TLS12 = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA");
    /** OpenSSL's default TLS 1.3 suites, which {@code ciphers} never touches (as in mosquitto). */
    static final List<String> DEFAULT_TLS13 = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256");
    private static final Pattern SEPARATORS = Pattern.compile("[:, ]+");
    /** A single cipher's name, such as ECDHE-RSA-AES128-GCM-SHA256 or TLS_AES_128_GCM_SHA256 (aliases have no dash). */
    private static final Pattern CIPHER_NAME = Pattern.compile("[A-Za-z0-9]+([-_][A-Za-z0-9]+)+");

    private CipherList() {
    }

    /** The TLS 1.2-and-older suites an OpenSSL cipher list selects, in its order. */
    static List<String> tls12(String cipherList) {
        List<String> openSslNames = OpenSsl.isAvailable() ? expandNatively(cipherList) : plainNames(cipherList);
        List<String> out = new ArrayList<>();
        for (String name : openSslNames) {
            String java = name.startsWith("TLS_") || name.startsWith("SSL_") ? name : CipherSuiteConverter.toJava(name, "TLS");
            if (java != null && !out.contains(java)) {
                out.add(java);
            }
        }
        if (out.isEmpty()) {
            throw new TlsSetupException("ciphers \"" + cipherList + "\" selects no usable cipher.", null);
        }
        return out;
    }

    /** The suites of a {@code ciphers_tls1.3} value. */
    static List<String> tls13(String suites) {
        List<String> out = new ArrayList<>();
        for (String name : SEPARATORS.split(suites.trim())) {
            if (!name.startsWith("TLS_")) {
                throw new TlsSetupException("ciphers_tls1.3 \"" + suites + "\": \"" + name
                        + "\" is not a TLS 1.3 cipher suite (such as TLS_AES_128_GCM_SHA256).", null);
            }
            out.add(name);
        }
        return out;
    }

    /** Lets BoringSSL evaluate the list on a scratch context, as OpenSSL's {@code SSL_CTX_set_cipher_list} would. */
    private static List<String> expandNatively(String cipherList) {
        long ctx;
        try {
            ctx = SSLContext.make(SSL.SSL_PROTOCOL_ALL, SSL.SSL_MODE_SERVER);
        } catch (Exception e) {
            throw new TlsSetupException("cannot create an OpenSSL context to read ciphers \"" + cipherList + "\"", e);
        }
        try {
            SSLContext.setCipherSuite(ctx, cipherList, false);
            long ssl = SSL.newSSL(ctx, true);
            try {
                return List.of(SSL.getCiphers(ssl));
            } finally {
                SSL.freeSSL(ssl);
            }
        } catch (Exception e) {
            throw new TlsSetupException("ciphers \"" + cipherList + "\" is not a cipher list " + OpenSsl.versionString()
                    + " accepts (" + e.getMessage() + ").", e);
        } finally {
            SSLContext.free(ctx);
        }
    }

    /**
     * Without OpenSSL: each entry must name one cipher (OpenSSL or IANA name). Names that match no
     * cipher are left out, as OpenSSL leaves them out; aliases and operators cannot be read.
     */
    private static List<String> plainNames(String cipherList) {
        List<String> out = new ArrayList<>();
        for (String entry : SEPARATORS.split(cipherList.trim())) {
            if (!CIPHER_NAME.matcher(entry).matches()) {
                throw new TlsSetupException("ciphers \"" + cipherList + "\": \"" + entry + "\" is an OpenSSL cipher-list"
                        + " expression, which needs the OpenSSL provider (not available here: "
                        + OpenSsl.unavailabilityCause() + "); list cipher names instead.", null);
            }
            out.add(entry);
        }
        return out;
    }
}
