package chatroom.web;

import chatroom.room.InvalidInputException;
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
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
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
    static final int MAX_NAME_CHARS = 32;
    private static final int USER_ID_BYTES = 16;
    private static final int SECRET_BYTES = 32;
    /** Secrets given from outside must be a full HMAC-SHA256 key. */
    static final int MIN_SECRET_BYTES = 32;
    /** Files written by earlier versions may hold 16 bytes; still accepted. */
    private static final int MIN_FILE_SECRET_BYTES = 16;
    private static final int CREATE_ATTEMPTS = 5;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Duration COOKIE_LIFETIME = Duration.ofDays(400);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    Identities(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /**
     * The identities of a node, signed with the secret it was given or the one in {@code file}: the one
     * call the web layer needs. {@code givenSecret} (from {@code CHATROOM_SECRET}) wins when present;
     * otherwise a single node reads or creates {@code file} ({@link #withSecretFile}), and a cluster node
     * ({@code mayCreate} false) only reads it ({@link #withSharedSecretFile}).
     */
    static Identities load(byte[] givenSecret, Path file, boolean mayCreate) throws IOException {
        if (givenSecret != null) {
            return withSecret(givenSecret);
        }
        return mayCreate ? withSecretFile(file) : withSharedSecretFile(file);
    }

    /** Pick when the secret comes from outside (CHATROOM_SECRET): every node given the same bytes accepts the same cookies. */
    static Identities withSecret(byte[] secret) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("identity secret is " + secret.length + " bytes; at least "
                    + MIN_SECRET_BYTES + " are needed");
        }
        return new Identities(secret.clone());
    }

    /**
     * Pick for a cluster node: reads the secret every node shares from {@code file} and never creates one,
     * since a node that made up its own would sign cookies the other nodes reject.
     */
    static Identities withSharedSecretFile(Path file) throws IOException {
        try {
            return new Identities(readSecret(file));
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
    static Identities withSecretFile(Path file) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return new Identities(readSecret(file));
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

    /** A display name: trimmed, 1–32 characters, no control characters. */
    static String validName(String raw) {
        String name = raw == null ? "" : raw.strip();
        if (name.isEmpty()) {
            throw new InvalidInputException("name is empty");
        }
        if (name.codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("name may not contain control characters");
        }
        int chars = name.codePointCount(0, name.length());
        if (chars > MAX_NAME_CHARS) {
            throw new InvalidInputException("name is " + chars + " characters; the limit is " + MAX_NAME_CHARS);
        }
        return name;
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
