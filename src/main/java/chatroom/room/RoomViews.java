package chatroom.room;

import java.util.List;

/**
 * How a room's events look on the page: HTML fragments with out-of-band swaps, one per swap target.
 * The room calls these once per event and sends the same bytes to every member. The implementation
 * (templates in the web layer) escapes all user text.
 */
public interface RoomViews {

    /**
     * A committed event as every member sees it live: a new message appended to the message list. One
     * rendering for every member of the room (the same bytes to each socket).
     */
    Fragment event(RoomEvent event);

    /**
     * The events a reconnecting page missed, in order, as they would have looked live (appended to what the
     * page shows). Never empty.
     */
    Fragment missed(List<RoomEvent> events);

    /**
     * Messages as they now are, shown in order. With {@code replace} they become the whole list (first
     * join, or a reconnect that missed more than the replay limit); otherwise they are appended (a
     * reconnect that catches up from the room's recent messages in memory); the page may then load the
     * messages older than these ({@link #olderBefore}).
     */
    Fragment history(List<Message> messages, boolean replace);

    /** Everyone in the room now, each user once. */
    Fragment presence(List<Author> here);

    /** A quiet line in the message list that is not stored, and names no user. */
    Fragment notice(String text);

    /**
     * A quiet line naming users, such as "ann, bob and 3 others joined": {@code users} (at most {@link
     * Names#SHOWN} of them named, the rest counted) followed by {@code what}. Names are isolated so
     * that none can reorder the text around it.
     */
    Fragment usersNotice(List<String> users, String what);

    /** "old is now new", the names isolated. */
    Fragment renameNotice(String oldName, String newName);

    /** A problem with what this member sent, shown to that member only. */
    Fragment error(String text);

    /** That these people are typing: the page shows it to everyone but each of them, for a few seconds. */
    Fragment typing(List<Author> typists);

    /**
     * This member's message was not stored, and why, shown to that member only. {@code clientId} is the
     * page's id for the message (null if it gave none), so that the page marks that message "not sent"
     * and keeps its text; {@code retryAfterMillis}, when positive, is how long until the sender may send
     * again (a rate limit), so that the page can send it again by itself then.
     */
    Fragment notSent(String text, String clientId, long retryAfterMillis);

    /**
     * The seq above which a page showing {@code page} (oldest first) may load older messages, or 0 when
     * the page starts at the room's first message or is empty.
     */
    static long olderBefore(List<Message> page) {
        return page.isEmpty() || page.getFirst().seq() <= 1 ? 0 : page.getFirst().seq();
    }

    /**
     * True when {@code page}, read as the newest {@code limit} messages below {@code beforeSeq}, shows that the
     * messages older than it are gone (pruned by retention) rather than never sent: the read came back short,
     * so nothing older is stored, yet the page does not reach seq 1. The store prunes a room from its oldest end
     * only, so what is kept is always one unbroken run of seqs. For an empty page, {@code beforeSeq} must be
     * the room's newest seq + 1 (0 for a room with no messages).
     */
    static boolean olderPruned(List<Message> page, int limit, long beforeSeq) {
        if (page.size() >= limit) return false;
        long newestMissing = page.isEmpty() ? beforeSeq - 1 : page.getFirst().seq() - 1;
        return newestMissing >= 1;
    }
}
