package chatroom.room;

import java.util.List;

/**
 * One person's reaction to a message: an emoji of the {@link #PALETTE}, by a user (id from their signed
 * identity, name as it was when they reacted). A user reacts at most once with each emoji to a message.
 */
public record Reaction(String emoji, String userId, String userName) {

    /** The emoji a message may be reacted to with, in the order the page offers them. */
    public static final List<String> PALETTE = List.of("👍", "❤️", "😂", "🎉", "😮", "👀");

    /**
     * Reactions one message may hold, all emoji and people together: every change to a message carries its
     * reactions to each member, so a message's reactions must stay small enough to send to a whole room.
     */
    public static final int MAX_PER_MESSAGE = 200;

    /** Longer than any emoji of the palette (in UTF-16 units), far shorter than any abuse; the store's column holds no more. */
    public static final int MAX_EMOJI_CHARS = 16;

    public static boolean inPalette(String emoji) {
        return PALETTE.contains(emoji);
    }
}
