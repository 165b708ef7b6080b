package chatroom.account;

/**
 * A passkey of an account as the server keeps it: the credential id and the attested credential data
 * (public key and authenticator model, WebAuthn's own encoding), both base64url, and the signature counter
 * last seen.
 */
public record Passkey(String credentialId, String userId, String credential, long signCount) {}
