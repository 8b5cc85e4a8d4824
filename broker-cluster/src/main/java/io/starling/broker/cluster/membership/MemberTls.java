package io.starling.broker.cluster.membership;

import io.starling.broker.config.ClusterSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Mutual TLS between members ({@code cluster_tls_cafile/certfile/keyfile}): every member presents its
 * certificate and accepts only peers whose certificate {@code cafile} signed, both ways. PEM files as
 * the listeners take them; the key unencrypted (PKCS#8, PKCS#1 or SEC1).
 */
public final class MemberTls {
    private static final char[] IN_MEMORY = new char[0];

    private MemberTls() {
    }

    /**
     * The context of member TLS, also used by the node links.
     *
     * @throws IOException naming the option and file that cannot be used
     */
    public static SSLContext context(ClusterSettings.Tls tls) throws IOException {
        List<Certificate> cas = certificates(tls.cafile(), "cluster_tls_cafile");
        List<Certificate> chain = certificates(tls.certfile(), "cluster_tls_certfile");
        PrivateKey key = privateKey(tls.keyfile());
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                trust.setCertificateEntry("ca" + i, cas.get(i));
            }
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            own.setKeyEntry("member", key, IN_MEMORY, chain.toArray(new Certificate[0]));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(own, IN_MEMORY);
            TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trusted.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trusted.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cluster TLS: " + tls.certfile() + " and " + tls.keyfile() + " cannot be used: "
                    + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path file, String option) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (read.isEmpty()) {
                throw new IOException("it holds no PEM certificate");
            }
            return new ArrayList<>(read);
        } catch (IOException | GeneralSecurityException e) {
            throw new IOException(option + " " + file + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(in)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o; (o = pem.readObject()) != null; ) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            }
            throw new IOException("it holds no unencrypted PEM private key");
        } catch (IOException | RuntimeException e) {
            throw new IOException("cluster_tls_keyfile " + file + " cannot be used: " + e.getMessage(), e);
        }
    }
}
