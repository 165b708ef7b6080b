package chatroom.bench;

import java.util.ArrayDeque;

/**
 * One fan-out sender's busy-room mix ({@code --changes}): of every 20 frames it sends, 16 are messages,
 * 2 reactions, 1 an edit and 1 a deletion, the proportions of {@code bench store --changes}. Each change
 * aims at one of the sender's own recent messages (only an author may edit or delete), whose seqs it
 * learns as they come back to it. Reactions and the edit go to its newest message, the deletion to its
 * oldest still standing, so that no change is refused for aiming at a deleted message.
 *
 * <p>Called from the pacer thread (next) and the sender's event loop (heard), hence synchronized; one
 * sender sends tens of frames a second, so the lock is never contended for long.
 */
final class ChangeMix {

    static final int CYCLE = 20;
    private static final int MESSAGES_PER_CYCLE = 16;
    private static final int KEPT = 64;
    private static final String THUMBS_UP = "\uD83D\uDC4D";
    private static final String HEART = "\u2764\uFE0F";

    private final ArrayDeque<Long> standing = new ArrayDeque<>();
    private long newestHeard = -1;
    private long turn;
    private long edits;

    /** This turn's change frame, or null when this turn is a message (also while none of its messages is known). */
    synchronized String nextChange() {
        int slot = (int) (turn++ % CYCLE);
        if (slot < MESSAGES_PER_CYCLE || standing.isEmpty()) {
            return null;
        }
        return switch (slot - MESSAGES_PER_CYCLE) {
            case 0 -> "{\"react\":" + standing.peekLast() + ",\"emoji\":\"" + THUMBS_UP + "\"}";
            case 1 -> "{\"react\":" + standing.peekLast() + ",\"emoji\":\"" + HEART + "\"}";
            case 2 -> "{\"edit\":" + standing.peekLast() + ",\"text\":\"edited " + (++edits) + "\"}";
            default -> "{\"delete\":" + standing.pollFirst() + "}";
        };
    }

    /** One of the sender's own new messages came back with this seq. */
    synchronized void heard(long seq) {
        if (seq <= newestHeard) {
            return;
        }
        newestHeard = seq;
        standing.addLast(seq);
        if (standing.size() > KEPT) {
            standing.pollFirst();
        }
    }
}
