package chatroom.web;

import chatroom.room.DisplayName;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
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
    /** Secrets given from outside must be a full HMAC-SHA256 key. */
    static final int MIN_SECRET_BYTES = 32;
    /** Files written by earlier versions may hold 16 bytes; still accepted. */
    private static final int MIN_FILE_SECRET_BYTES = 16;
    private static final int CREATE_ATTEMPTS = 5;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
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

    /**
     * The identities of a node, signed with the secret it was given or the one in {@code file}: the one
     * call the web layer needs. {@code givenSecret} (from {@code CHATROOM_SECRET}) wins when present;
     * otherwise a single node reads or creates {@code file} ({@link #withSecretFile}), and a cluster node
     * ({@code mayCreate} false) only reads it ({@link #withSharedSecretFile}).
     */
    static Identities load(byte[] givenSecret, Path file, boolean mayCreate, Duration maxAge) throws IOException {
        if (givenSecret != null) {
            return withSecret(givenSecret, maxAge);
        }
        return mayCreate ? withSecretFile(file, maxAge) : withSharedSecretFile(file, maxAge);
    }

    /** Pick when the secret comes from outside (CHATROOM_SECRET): every node given the same bytes accepts the same cookies. */
    static Identities withSecret(byte[] secret, Duration maxAge) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("identity secret is " + secret.length + " bytes; at least "
                    + MIN_SECRET_BYTES + " are needed");
        }
        return new Identities(secret.clone(), maxAge, Clock.systemUTC());
    }

    /**
     * Pick for a cluster node: reads the secret every node shares from {@code file} and never creates one,
     * since a node that made up its own would sign cookies the other nodes reject.
     */
    static Identities withSharedSecretFile(Path file, Duration maxAge) throws IOException {
        try {
            return new Identities(readSecret(file), maxAge, Clock.systemUTC());
        } catch (NoSuchFileException e) {
            throw new IOException(file.toAbsolutePath() + ": no such file; a cluster node needs the identity secret"
                    + " that every node shares (this file or CHATROOM_SECRET) and never makes one up", e);
        }
    }

    /**
     * Pick for a single node: reads the secret from the file, or creates it there if it is missing. The
     * file is readable by its owner only from the moment it exists, and appears whole or not at all: the
     * secret is written to a temporary file in the same directory, made with owner-only permissions, and
     * then hard-linked to its name, which fails if the name exists. Of several processes starting at
     * once, one creates the file and the others read it, so all sign with the same secret.
     */
    static Identities withSecretFile(Path file, Duration maxAge) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return new Identities(readSecret(file), maxAge, Clock.systemUTC());
            } catch (NoSuchFileException e) {
                // make it below
            }
            if (createSecretFile(file)) {
                log.info("{}: new secret for identity cookies", file);
            } else if (attempt >= CREATE_ATTEMPTS) {
                throw new IOException(file + ": appeared and vanished " + attempt + " times while creating the secret");
            }
        }
    }

    /** True if this call created the file; false if another process had created it meanwhile. */
    private static boolean createSecretFile(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        byte[] secret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        Path temp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + ".tmp");
        try {
            try (FileChannel out = createOwnerOnly(temp)) {
                out.write(ByteBuffer.wrap((HexFormat.of().formatHex(secret) + "\n").getBytes(StandardCharsets.US_ASCII)));
                out.force(true);
            }
            try {
                Files.createLink(file, temp); // atomic, and never replaces a file another process linked first
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | FileSystemException e) {
                // no hard links on this file system: without REPLACE_EXISTING, move refuses an existing file
                // (checked just before the rename, so two starting in the same instant could still differ)
                Files.move(temp, file);
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Creates the file with owner-only permissions from the start (no window in which others may open it). */
    private static FileChannel createOwnerOnly(Path temp) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return FileChannel.open(temp, options, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            log.warn("{}: cannot restrict permissions on this file system", temp.toAbsolutePath().getParent());
            return FileChannel.open(temp, options);
        }
    }

    private static byte[] readSecret(Path file) throws IOException {
        String text = Files.readString(file).trim();
        byte[] secret;
        try {
            secret = HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the secret is not hex; expected " + 2 * SECRET_BYTES + " hex digits");
        }
        if (secret.length < MIN_FILE_SECRET_BYTES) {
            throw new IOException(file + ": secret is " + secret.length + " bytes; at least " + MIN_FILE_SECRET_BYTES
                    + " are needed");
        }
        warnIfOthersCanRead(file);
        return secret;
    }

    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                log.warn("{}: the identity secret is readable by others ({}); anyone who reads it can sign in as"
                        + " any user: chmod 600 it", file, PosixFilePermissions.toString(permissions));
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
    }

    /** True for a name of the form new guests are given ("guest-1234"). */
    static boolean isGuestName(String name) {
        return name.matches("guest-[0-9]{4}");
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
