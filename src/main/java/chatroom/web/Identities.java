package chatroom.web;

import chatroom.room.DisplayName;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and checks identity cookies. The cookie holds the user id and display name in the clear and
 * an HMAC-SHA256 of both under the server's secret, so the server needs no user table and a client
 * cannot forge or alter either: a cookie whose signature does not match is ignored and the visitor
 * becomes a new guest. The cookie is HttpOnly and SameSite=Lax; scripts never see it.
 */
final class Identities {

    private static final Logger log = LoggerFactory.getLogger(Identities.class);

    static final String COOKIE = "chatroom_id";
    private static final int USER_ID_BYTES = 16;
    private static final int SECRET_BYTES = 32;
    private static final Duration COOKIE_LIFETIME = Duration.ofDays(400);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    Identities(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** Reads the secret from the file, or makes a new one there (readable by the owner only) if it is missing. */
    static Identities withSecretFile(Path file) throws IOException {
        if (Files.exists(file)) {
            byte[] secret = HexFormat.of().parseHex(Files.readString(file).trim());
            if (secret.length < 16) {
                throw new IOException(file + ": secret is " + secret.length + " bytes; at least 16 are needed");
            }
            return new Identities(secret);
        }
        byte[] secret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, HexFormat.of().formatHex(secret) + "\n");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            log.warn("{}: cannot restrict permissions on this file system", file);
        }
        log.info("{}: new secret for identity cookies", file);
        return new Identities(secret);
    }

    Identity newGuest() {
        byte[] id = new byte[USER_ID_BYTES];
        random.nextBytes(id);
        return new Identity(B64.encodeToString(id), "guest-" + (1000 + random.nextInt(9000)), true);
    }

    /** The identity in the cookie value, or a new guest if there is none or its signature is wrong. */
    Identity fromCookie(String value) {
        if (value != null) {
            String[] parts = value.split("\\.", -1);
            if (parts.length == 3 && MessageDigest.isEqual(
                    sign(parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII),
                    parts[2].getBytes(StandardCharsets.US_ASCII))) {
                try {
                    String name = new String(B64D.decode(parts[1]), StandardCharsets.UTF_8);
                    return new Identity(parts[0], name, false);
                } catch (IllegalArgumentException e) {
                    // signed but undecodable cannot come from us; fall through to a new guest
                }
            }
        }
        return newGuest();
    }

    Identity renamed(Identity identity, String rawName) {
        return new Identity(identity.userId(), validName(rawName), true);
    }

    /** The Set-Cookie header value for the identity. */
    String setCookie(Identity identity, boolean secure) {
        String payload = identity.userId() + "." + B64.encodeToString(identity.name().getBytes(StandardCharsets.UTF_8));
        DefaultCookie cookie = new DefaultCookie(COOKIE, payload + "." + sign(payload));
        cookie.setHttpOnly(true);
        cookie.setSameSite(CookieHeaderNames.SameSite.Lax);
        cookie.setPath("/");
        cookie.setMaxAge(COOKIE_LIFETIME.toSeconds());
        cookie.setSecure(secure);
        return ServerCookieEncoder.STRICT.encode(cookie);
    }

    /** A display name by the rules of {@link DisplayName}. */
    static String validName(String raw) {
        return DisplayName.clean(raw);
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return B64.encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
