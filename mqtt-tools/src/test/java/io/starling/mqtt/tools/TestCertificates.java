package io.starling.mqtt.tools;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throwaway PKI written as PEM files for the TLS tests: a CA, a server certificate for
 * {@code localhost}/127.0.0.1, one for another name (to see the host name check), and a client
 * certificate whose key is in OpenSSL's traditional {@code EC PRIVATE KEY} form, as mosquitto users have
 * them. P-256 keys, quick to make.
 */
final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    final Path ca;
    final Path serverCert;
    final Path serverKey;
    final Path otherNameCert;
    final Path otherNameKey;
    final Path clientCert;
    final Path clientKey;

    TestCertificates(Path dir) throws Exception {
        KeyPair caKeys = keys();
        X500Name caName = new X500Name("CN=Starling tools test CA");
        X509Certificate caCert = sign(caName, caKeys, caName, caKeys.getPublic(), true, null);
        ca = write(dir.resolve("ca.pem"), caCert);
        KeyPair server = keys();
        serverCert = write(dir.resolve("server.pem"), sign(caName, caKeys, new X500Name("CN=localhost"),
                server.getPublic(), false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")})));
        serverKey = write(dir.resolve("server.key"), new JcaPKCS8Generator(server.getPrivate(), null));
        KeyPair other = keys();
        otherNameCert = write(dir.resolve("other.pem"), sign(caName, caKeys, new X500Name("CN=other.example"),
                other.getPublic(), false, new GeneralNames(new GeneralName(GeneralName.dNSName, "other.example"))));
        otherNameKey = write(dir.resolve("other.key"), new JcaPKCS8Generator(other.getPrivate(), null));
        KeyPair client = keys();
        clientCert = write(dir.resolve("client.pem"), sign(caName, caKeys, new X500Name("CN=tools client"),
                client.getPublic(), false, null));
        clientKey = write(dir.resolve("client.key"), sec1(client));
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject, PublicKey key,
                                        boolean ca, GeneralNames names) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (names != null) {
            b.addExtension(Extension.subjectAlternativeName, false, names);
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    /** The key as {@code openssl ecparam -genkey} writes it (SEC1, with the curve and the public key). */
    private static PemObject sec1(KeyPair keys) throws IOException {
        PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        BigInteger d = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(pkcs8.parsePrivateKey()).getKey();
        SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        return new PemObject("EC PRIVATE KEY", new org.bouncycastle.asn1.sec.ECPrivateKey(256, d,
                publicKey.getPublicKeyData(), pkcs8.getPrivateKeyAlgorithm().getParameters()).getEncoded());
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static Path write(Path file, Object pem) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(pem);
        }
        return Files.writeString(file, text.toString());
    }
}
