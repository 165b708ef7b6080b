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
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and checks identity cookies. The cookie holds the user id, the display name and the time it
 * was issued in the clear, and an HMAC-SHA256 of all three under the server's secret, so the server
 * needs no user table and a client cannot forge or alter any of them: a cookie whose signature does not
 * match is ignored and the visitor becomes a new guest. So does one issued longer ago than the maximum
 * age ({@code --cookie-max-age}): a cookie copied off a machine stops working in time even if the
 * browser is told to keep it. A visitor who comes back after half that age gets the cookie issued anew,
 * so only identities left unused expire. The cookie is HttpOnly and SameSite=Lax; scripts never see it.
 *
 * <p>Cookies from before the issue time was added ({@code id.name.signature}) are still read when their
 * signature holds, and are issued anew with the time, so nobody lost their name in the change.
 */
final class Identities {

    private static final Logger log = LoggerFactory.getLogger(Identities.class);

    static final String COOKIE = "chatroom_id";
    private static final int USER_ID_BYTES = 16;
    private static final int SECRET_BYTES = 32;
    /** A cookie issued this far in the future is refused: clocks differ a little between restarts, not more. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();
    private final Duration maxAge;
    private final Clock clock;

    Identities(byte[] secret, Duration maxAge, Clock clock) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Reads the secret from the file, or makes a new one there (readable by the owner only) if it is missing. */
    static Identities withSecretFile(Path file, Duration maxAge) throws IOException {
        if (Files.exists(file)) {
            byte[] secret = HexFormat.of().parseHex(Files.readString(file).trim());
            if (secret.length < 16) {
                throw new IOException(file + ": secret is " + secret.length + " bytes; at least 16 are needed");
            }
            return new Identities(secret, maxAge, Clock.systemUTC());
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
        return new Identities(secret, maxAge, Clock.systemUTC());
    }

    Identity newGuest() {
        byte[] id = new byte[USER_ID_BYTES];
        random.nextBytes(id);
        return new Identity(B64.encodeToString(id), "guest-" + (1000 + random.nextInt(9000)), true);
    }

    /**
     * The identity in the cookie value, or a new guest if there is none, its signature is wrong or it is
     * too old. Marked to be issued anew when it is past half its age or has no issue time yet.
     */
    Identity fromCookie(String value) {
        if (value == null) {
            return newGuest();
        }
        String[] parts = value.split("\\.", -1);
        if (parts.length == 4 && signed(parts[0] + "." + parts[1] + "." + parts[2], parts[3])) {
            long issuedSeconds;
            try {
                issuedSeconds = Long.parseLong(parts[2]);
            } catch (NumberFormatException e) {
                return newGuest(); // signed but unreadable cannot come from us
            }
            long now = clock.instant().getEpochSecond();
            long age = now - issuedSeconds;
            if (age > maxAge.toSeconds() || age < -CLOCK_SKEW.toSeconds()) {
                return newGuest();
            }
            return decoded(parts[0], parts[1], age > maxAge.toSeconds() / 2);
        }
        if (parts.length == 3 && signed(parts[0] + "." + parts[1], parts[2])) {
            return decoded(parts[0], parts[1], true); // from before issue times: give it one
        }
        return newGuest();
    }

    private boolean signed(String payload, String signature) {
        return MessageDigest.isEqual(
                sign(payload).getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII));
    }

    private Identity decoded(String userId, String nameBase64, boolean reissue) {
        try {
            return new Identity(userId, new String(B64D.decode(nameBase64), StandardCharsets.UTF_8), reissue);
        } catch (IllegalArgumentException e) {
            return newGuest(); // signed but undecodable cannot come from us
        }
    }

    Identity renamed(Identity identity, String rawName) {
        return new Identity(identity.userId(), validName(rawName), true);
    }

    /** The Set-Cookie header value for the identity. */
    String setCookie(Identity identity, boolean secure) {
        String payload = identity.userId() + "." + B64.encodeToString(identity.name().getBytes(StandardCharsets.UTF_8))
                + "." + clock.instant().getEpochSecond();
        DefaultCookie cookie = new DefaultCookie(COOKIE, payload + "." + sign(payload));
        cookie.setHttpOnly(true);
        cookie.setSameSite(CookieHeaderNames.SameSite.Lax);
        cookie.setPath("/");
        cookie.setMaxAge(maxAge.toSeconds());
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
