package io.starling.broker.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA, server and client certificate made by the {@code openssl} command, as mosquitto
 * users make theirs, so the files are exactly what the tool writes (PKCS#8 and PKCS#1 RSA keys, SEC1
 * EC keys with their {@code EC PARAMETERS} block, encrypted keys). Tests skip when it is missing.
 */
final class OpensslPki {
    static final Path OPENSSL = Path.of("/usr/bin/openssl");

    final Path dir;
    final Path caCert;
    final Path caKey;
    final Path serverCert;
    /** PKCS#8 ({@code BEGIN PRIVATE KEY}), what OpenSSL 3 writes by default. */
    final Path serverKey;
    final Path clientCert;
    final Path clientKey;

    static boolean installed() {
        return Files.isExecutable(OPENSSL);
    }

    OpensslPki(Path dir) throws IOException {
        this.dir = dir;
        caCert = dir.resolve("ca.pem");
        caKey = dir.resolve("ca.key");
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", caCert.toString(),
                "-days", "2", "-subj", "/CN=Starling Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        serverKey = dir.resolve("server.key");
        serverCert = issue("server", serverKey, "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        clientKey = dir.resolve("client.key");
        clientCert = issue("client", clientKey, "/C=GB/O=Starling/CN=test client", null);
    }

    /** A new RSA key (PKCS#8) and a certificate for it signed by the CA. */
    Path issue(String name, Path key, String subject, String extension) throws IOException {
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                "-subj", subject, "-utf8");
        return sign(name, csr, cert, extension);
    }

    /** A certificate for an existing key. */
    Path issueFor(String name, Path key, String subject) throws IOException {
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        run("req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", subject, "-utf8");
        return sign(name, csr, cert, "subjectAltName=DNS:localhost,IP:127.0.0.1");
    }

    private Path sign(String name, Path csr, Path cert, String extension) throws IOException {
        List<String> args = new ArrayList<>(List.of("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(),
                "-CAkey", caKey.toString(), "-CAcreateserial", "-out", cert.toString(), "-days", "2"));
        if (extension != null) {
            Path ext = dir.resolve(name + ".ext");
            Files.writeString(ext, extension + "\n");
            args.addAll(List.of("-extfile", ext.toString()));
        }
        run(args.toArray(String[]::new));
        return cert;
    }

    /** What {@code openssl x509 -noout -subject -nameopt RFC2253} prints, without the {@code subject=}. */
    String subjectRfc2253(Path cert) throws IOException {
        String out = run("x509", "-in", cert.toString(), "-noout", "-subject", "-nameopt", "RFC2253").trim();
        return out.substring(out.indexOf('=') + 1);
    }

    String run(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(OPENSSL.toString());
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("openssl did not finish: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("openssl failed (" + p.exitValue() + "): " + command + "\n" + output);
        }
        return output;
    }
}
