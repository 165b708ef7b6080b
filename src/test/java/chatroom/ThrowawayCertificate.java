package chatroom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed TLS certificate made at test time for a few names, valid for two days, with its key:
 * as PEM files for a server such as nginx, as an {@link SSLContext} for Java clients that trust it and
 * nothing else, and as the SPKI hash Chromium's {@code --ignore-certificate-errors-spki-list} takes. It is
 * made with the running JDK's {@code keytool}, so it needs nothing else installed.
 */
public final class ThrowawayCertificate {

    private static final char[] PASSWORD = "throwaway".toCharArray();

    public final Path certificatePem;
    public final Path privateKeyPem;
    private final X509Certificate certificate;

    private ThrowawayCertificate(Path certificatePem, Path privateKeyPem, X509Certificate certificate) {
        this.certificatePem = certificatePem;
        this.privateKeyPem = privateKeyPem;
        this.certificate = certificate;
    }

    /** Makes one in {@code dir} for {@code names}: host names and IP addresses, the first also its CN. */
    public static ThrowawayCertificate make(Path dir, String... names) throws IOException, GeneralSecurityException {
        Path store = dir.resolve("throwaway.p12");
        List<String> san = new ArrayList<>();
        for (String name : names) {
            san.add((name.matches("[0-9.]+|.*:.*") ? "ip:" : "dns:") + name);
        }
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "site", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=" + names[0], "-ext", "SAN=" + String.join(",", san),
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        X509Certificate certificate = (X509Certificate) keys.getCertificate("site");
        PrivateKey key = (PrivateKey) keys.getKey("site", PASSWORD);
        Path certificatePem = dir.resolve("certificate.pem");
        Path privateKeyPem = dir.resolve("private-key.pem");
        Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(privateKeyPem, pem("PRIVATE KEY", key.getEncoded())); // PKCS#8, which OpenSSL reads
        Files.delete(store);
        return new ThrowawayCertificate(certificatePem, privateKeyPem, certificate);
    }

    /** TLS for a client that trusts this certificate only. */
    public SSLContext clientContext() throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("site", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** Base64 of the SHA-256 of its public key, for Chromium's {@code --ignore-certificate-errors-spki-list}. */
    public String spkiSha256() throws GeneralSecurityException {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
        return Base64.getEncoder().encodeToString(hash);
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command.subList(0, 2)) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted making a certificate", e);
        } finally {
            process.destroyForcibly();
        }
    }
}
