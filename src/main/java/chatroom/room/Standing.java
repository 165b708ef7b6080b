package chatroom.room;

/** What a member is on this server, as the web layer recognised them: a guest, or an account and its role. */
public enum Standing {
    GUEST, MEMBER, MODERATOR, OWNER
}
