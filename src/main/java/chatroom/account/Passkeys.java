package chatroom.account;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.verifier.exception.VerificationException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * The WebAuthn ceremonies, as the server's half of them: the options a page hands to {@code
 * navigator.credentials.create} (keeping a name) and {@code .get} (signing in), and the checks of what
 * comes back, done by WebAuthn4J: the challenge is the one handed out, the origin and the relying party
 * are this site, the user was present and verified, and the signature holds under the stored public key.
 *
 * <p>Passkeys are discoverable ("resident") credentials: signing in needs no name typed first, the
 * browser offers the passkeys it holds for this site. Attestation is not asked for: which model of
 * authenticator someone uses is not the server's business.
 */
public final class Passkeys {

    /** How long a page has to answer a challenge. */
    public static final long CHALLENGE_MS = 5 * 60_000L;

    /** Most bytes of a ceremony's answer read: a passkey's is one or two KB. */
    public static final int MAX_ANSWER_BYTES = 16 * 1024;

    private static final List<PublicKeyCredentialParameters> ALGORITHMS = List.of(
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.ES256),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.EdDSA),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.RS256));

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final WebAuthnManager manager = WebAuthnManager.createNonStrictWebAuthnManager();
    private final AttestedCredentialDataConverter credentials = new AttestedCredentialDataConverter(new ObjectConverter());
    private final SecureRandom random = new SecureRandom();

    /**
     * Where a ceremony takes place: the page's origin (checked against the site's own before it gets here)
     * and the relying party id, its host name.
     */
    public record Site(String origin, String rpId) {

        /**
         * The site of a page at {@code origin}, or null where passkeys cannot work: the relying party must
         * be a domain name, so a page reached by a bare IP address cannot have one, and a browser offers
         * passkeys only to a secure context (https, or http on localhost).
         */
        public static Site of(String origin) {
            if (origin == null) return null;
            URI uri;
            try {
                uri = URI.create(origin);
            } catch (IllegalArgumentException e) {
                return null;
            }
            String host = uri.getHost();
            if (host == null || host.startsWith("[") || host.matches("[0-9.]+")) return null;
            boolean secure = "https".equals(uri.getScheme())
                    || ("http".equals(uri.getScheme()) && (host.equals("localhost") || host.endsWith(".localhost")));
            return secure ? new Site(origin, host) : null;
        }

        /** Why a page at {@code origin} cannot use passkeys, for the page to say instead of a button that fails. */
        public static String whyNot(String origin) {
            return "Passkeys need this site to be reached by its name over https (or at http://localhost),"
                    + " not by an IP address or plain http.";
        }
    }

    /** A refused ceremony: the reason is for the log and the person, and says nothing of other accounts. */
    public static final class Refused extends RuntimeException {
        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A fresh challenge: 32 random bytes. */
    public byte[] challenge() {
        byte[] challenge = new byte[32];
        random.nextBytes(challenge);
        return challenge;
    }

    /** What the store keeps of a challenge: its SHA-256, base64url. */
    public static String hash(byte[] secret) {
        try {
            return B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(secret));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public static String base64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    /** The options for {@code navigator.credentials.create}, as WebAuthn's JSON form of them. */
    public String creationOptions(Site site, byte[] challenge, String userId, String name) {
        String quotedName = quote(name);
        return "{\"rp\":{\"name\":\"Chatroom\",\"id\":" + quote(site.rpId()) + "},"
                + "\"user\":{\"id\":\"" + B64.encodeToString(userId.getBytes(StandardCharsets.UTF_8)) + "\","
                + "\"name\":" + quotedName + ",\"displayName\":" + quotedName + "},"
                + "\"challenge\":\"" + B64.encodeToString(challenge) + "\","
                + "\"pubKeyCredParams\":[{\"type\":\"public-key\",\"alg\":-7},{\"type\":\"public-key\",\"alg\":-8},"
                + "{\"type\":\"public-key\",\"alg\":-257}],"
                + "\"timeout\":" + CHALLENGE_MS + ",\"attestation\":\"none\","
                + "\"authenticatorSelection\":{\"residentKey\":\"required\",\"requireResidentKey\":true,"
                + "\"userVerification\":\"required\"}}";
    }

    /** The options for {@code navigator.credentials.get}: any passkey of this site. */
    public String requestOptions(Site site, byte[] challenge) {
        return "{\"challenge\":\"" + B64.encodeToString(challenge) + "\",\"rpId\":" + quote(site.rpId()) + ","
                + "\"timeout\":" + CHALLENGE_MS + ",\"userVerification\":\"required\",\"allowCredentials\":[]}";
    }

    /** A new passkey's answer, read but not yet checked: the challenge it answers. */
    public RegistrationData readRegistration(String json) {
        try {
            return manager.parseRegistrationResponseJSON(json);
        } catch (RuntimeException e) { // the converter's, Jackson's, or a field missing: all unreadable
            throw new Refused("the passkey's answer could not be read");
        }
    }

    /** A sign-in's answer, read but not yet checked. */
    public AuthenticationData readAuthentication(String json) {
        try {
            return manager.parseAuthenticationResponseJSON(json);
        } catch (RuntimeException e) { // the converter's, Jackson's, or a field missing: all unreadable
            throw new Refused("the passkey's answer could not be read");
        }
    }

    /** The challenge an answer says it answers. */
    public static byte[] challengeOf(RegistrationData answer) {
        return answer.getCollectedClientData() == null ? new byte[0] : answer.getCollectedClientData().getChallenge().getValue();
    }

    public static byte[] challengeOf(AuthenticationData answer) {
        return answer.getCollectedClientData() == null ? new byte[0] : answer.getCollectedClientData().getChallenge().getValue();
    }

    /** Checks a new passkey's answer to {@code challenge} and returns the passkey to keep for {@code userId}. */
    public Passkey verifyRegistration(RegistrationData answer, Site site, byte[] challenge, String userId) {
        ServerProperty server = new ServerProperty(new Origin(site.origin()), site.rpId(), new DefaultChallenge(challenge));
        try {
            manager.verify(answer, new RegistrationParameters(server, ALGORITHMS, true, true));
        } catch (VerificationException e) {
            throw new Refused("the passkey was not accepted: " + e.getMessage());
        } catch (RuntimeException e) { // a field that read but cannot be what it says
            throw new Refused("the passkey was not accepted: " + e);
        }
        AuthenticatorData<?> data = answer.getAttestationObject().getAuthenticatorData();
        AttestedCredentialData attested = data.getAttestedCredentialData();
        return new Passkey(B64.encodeToString(attested.getCredentialId()), userId,
                B64.encodeToString(credentials.convert(attested)), data.getSignCount());
    }

    /** The credential id an answer names, base64url. */
    public static String credentialIdOf(AuthenticationData answer) {
        return answer.getCredentialId() == null ? "" : B64.encodeToString(answer.getCredentialId());
    }

    /** The user id the answer's passkey was made for (its user handle), or null if it names none. */
    public static String userHandleOf(AuthenticationData answer) {
        byte[] handle = answer.getUserHandle();
        return handle == null ? null : new String(handle, StandardCharsets.UTF_8);
    }

    /** Checks a sign-in's answer to {@code challenge} with the stored passkey; returns its new counter. */
    public long verifyAuthentication(AuthenticationData answer, Site site, byte[] challenge, Passkey stored) {
        AttestedCredentialData attested = credentials.convert(B64D.decode(stored.credential()));
        CredentialRecordImpl record = new CredentialRecordImpl(null, null, null, null, stored.signCount(), attested,
                null, null, null, null);
        ServerProperty server = new ServerProperty(new Origin(site.origin()), site.rpId(), new DefaultChallenge(challenge));
        try {
            manager.verify(answer, new AuthenticationParameters(server, record, null, true, true));
        } catch (VerificationException e) {
            throw new Refused("the passkey was not accepted: " + e.getMessage());
        } catch (RuntimeException e) { // a field that read but cannot be what it says
            throw new Refused("the passkey was not accepted: " + e);
        }
        return answer.getAuthenticatorData().getSignCount();
    }

    private static String quote(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }
}
