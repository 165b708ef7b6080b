package chatroom.account;

import java.util.Locale;

/** What an account may do beyond posting: moderators and owners are named by owners. */
public enum Role {
    MEMBER, MODERATOR, OWNER;

    /** As stored in the accounts table. */
    public String column() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role ofColumn(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
