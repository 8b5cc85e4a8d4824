package io.starling.broker.transport;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a TLS listener's PEM files as OpenSSL, and so mosquitto, does: a file may hold several
 * blocks, and blocks of other kinds are skipped (a key and its certificate often share one file; an
 * {@code openssl ecparam -genkey} key starts with {@code EC PARAMETERS}). Private keys may be PKCS#8,
 * PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}); Bouncy Castle decodes them, as
 * the JDK reads only unencrypted PKCS#8. Encrypted keys are refused: mosquitto would ask for the
 * passphrase on its terminal, which a service cannot answer.
 *
 * <p>Every failure is a {@link TlsSetupException} naming the option and the file.
 */
final class PemFiles {
    private static final Logger LOG = LoggerFactory.getLogger(PemFiles.class);
    private static final Set<String> CERTIFICATE_BLOCKS = Set.of("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE");
    private static final Set<String> KEY_BLOCKS = Set.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
            "DSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY");
    /** The links {@code openssl rehash} makes: the subject hash, a dot, a sequence number. */
    private static final Pattern HASH_LINK = Pattern.compile("[0-9a-f]{8}\\.[0-9]+");

    private PemFiles() {
    }

    /** The server certificate, then any chain that follows it in the file. */
    static List<X509Certificate> serverCertificates(Path certfile) {
        try {
            List<X509Certificate> chain = certificates(certfile);
            if (chain.isEmpty()) {
                throw new IOException("it holds no PEM certificate");
            }
            return chain;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new TlsSetupException("Unable to load server certificate \"" + certfile + "\": " + why(e)
                    + ". Check certfile.", certfile, e);
        }
    }

    static PrivateKey privateKey(Path keyfile) {
        try {
            List<PemObject> blocks = blocks(keyfile);
            for (PemObject block : blocks) {
                if (KEY_BLOCKS.contains(block.getType())) {
                    return decodeKey(block);
                }
            }
            throw new IOException("it holds no PEM private key");
        } catch (IOException | RuntimeException e) {
            throw new TlsSetupException("Unable to load server key file \"" + keyfile + "\": " + why(e)
                    + ". Check keyfile.", keyfile, e);
        }
    }

    /**
     * Fails unless the key is the certificate's: what OpenSSL's {@code SSL_CTX_check_private_key}
     * catches at start-up, and the JDK only at the first handshake.
     */
    static void checkKeyMatches(PrivateKey key, X509Certificate certificate, Path keyfile, Path certfile) {
        String algorithm = signatureAlgorithm(key);
        if (algorithm == null) {
            return; // an unusual key type: the handshake will tell
        }
        PublicKey publicKey = certificate.getPublicKey();
        boolean matches;
        try {
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(data);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(data);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // e.g. an EC key against an RSA certificate
        }
        if (!matches) {
            throw new TlsSetupException("Server certificate \"" + certfile + "\" and key \"" + keyfile
                    + "\" are inconsistent: the key is not the certificate's.", keyfile, null);
        }
    }

    /**
     * The CAs trusted for client certificates: those of {@code cafile} and of the {@code *.pem},
     * {@code *.crt} and hash-link files in {@code capath} (either may be null).
     */
    static List<X509Certificate> caCertificates(Path cafile, Path capath) {
        Set<X509Certificate> out = new LinkedHashSet<>();
        if (cafile != null) {
            try {
                List<X509Certificate> certs = certificates(cafile);
                if (certs.isEmpty()) {
                    throw new IOException("it holds no PEM certificate");
                }
                out.addAll(certs);
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                throw new TlsSetupException("Unable to load CA certificates. Check cafile \"" + cafile + "\": "
                        + why(e) + ".", cafile, e);
            }
        }
        if (capath != null) {
            out.addAll(directoryCertificates(capath));
        }
        return new ArrayList<>(out);
    }

    private static List<X509Certificate> directoryCertificates(Path capath) {
        List<X509Certificate> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(capath)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                boolean candidate = name.endsWith(".pem") || name.endsWith(".crt") || HASH_LINK.matcher(name).matches();
                if (!candidate || !Files.isRegularFile(entry)) {
                    continue;
                }
                try {
                    List<X509Certificate> certs = certificates(entry);
                    if (certs.isEmpty()) {
                        LOG.warn("capath \"{}\": {} holds no PEM certificate; skipped.", capath, name);
                    }
                    out.addAll(certs);
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    LOG.warn("capath \"{}\": {} skipped: {}.", capath, name, why(e));
                }
            }
        } catch (IOException e) {
            throw new TlsSetupException("Unable to load CA certificates. Check capath \"" + capath + "\": "
                    + why(e) + ".", capath, e);
        }
        if (out.isEmpty()) {
            throw new TlsSetupException("Unable to load CA certificates. Check capath \"" + capath
                    + "\": no PEM certificate in it.", capath, null);
        }
        return out;
    }

    private static List<X509Certificate> certificates(Path file) throws IOException, CertificateException {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> out = new ArrayList<>();
        for (PemObject block : blocks(file)) {
            if (CERTIFICATE_BLOCKS.contains(block.getType())) {
                Object parsed = reparse(block);
                X509CertificateHolder holder = parsed instanceof X509TrustedCertificateBlock trusted
                        ? trusted.getCertificateHolder() : (X509CertificateHolder) parsed;
                out.add(converter.getCertificate(holder));
            }
        }
        return out;
    }

    private static PrivateKey decodeKey(PemObject block) throws IOException {
        Object parsed = reparse(block);
        if (parsed instanceof PEMEncryptedKeyPair || parsed instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new IOException("the key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (parsed instanceof PEMKeyPair pair) {
            return converter.getPrivateKey(pair.getPrivateKeyInfo()); // a SEC1 key's public part is optional
        }
        if (parsed instanceof PrivateKeyInfo info) {
            return converter.getPrivateKey(info);
        }
        throw new IOException("unsupported key block " + block.getType());
    }

    private static List<PemObject> blocks(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        List<PemObject> out = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(text))) {
            for (PemObject block; (block = reader.readPemObject()) != null; ) {
                out.add(block);
            }
        }
        return out;
    }

    /** Decodes one block with Bouncy Castle's typed parser (which fails on block types it does not know). */
    private static Object reparse(PemObject block) throws IOException {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(block);
        }
        try (PEMParser parser = new PEMParser(new StringReader(text.toString()))) {
            Object parsed = parser.readObject();
            if (parsed == null) {
                throw new IOException("malformed " + block.getType() + " block");
            }
            return parsed;
        }
    }

    private static String signatureAlgorithm(PrivateKey key) {
        switch (key.getAlgorithm()) {
            case "RSA":
                return "SHA256withRSA";
            case "EC":
                return "SHA256withECDSA";
            case "DSA":
                return "SHA256withDSA";
            case "Ed25519":
            case "Ed448":
            case "EdDSA":
                return key.getAlgorithm();
            default:
                return null;
        }
    }

    private static String why(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.toString() : message;
    }
}
