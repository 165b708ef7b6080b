package chatroom.account;

/**
 * Someone who kept their name with a passkey. {@code userId} is the guest id they had when they did, so the
 * messages they sent as a guest stay theirs; {@code name} is the name they go by now, reserved under its
 * {@link NameKey}.
 */
public record Account(String userId, String name, Role role) {}
