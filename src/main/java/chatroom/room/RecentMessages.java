package chatroom.room;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A room's newest messages, oldest first, exactly as delivered to its members: a gap-free run that ends
 * at the room's cursor, at most {@code limit} long. Joins and reconnects that it covers are served from
 * here, without the store, which is what keeps a crowd of joins cheap.
 *
 * <p>The run is unknown (and covers nothing) until a read of the room's latest history shows where it
 * starts; it is dropped again if a message ever fails to continue it. Owned by an awake {@link Room},
 * on the room's thread.
 */
final class RecentMessages {

    private final int limit;
    /** Null while unknown. */
    private ArrayDeque<Message> run;
    private long upTo;
    /**
     * While the run is unknown, the messages delivered meanwhile (a gap-free run, at most {@code limit}): a
     * history read ends where the room stood when its member joined, and these carry it on to the cursor.
     */
    private final ArrayDeque<Message> since = new ArrayDeque<>();

    RecentMessages(int limit) {
        this.limit = limit;
    }

    /**
     * Starts the run from a read of the latest history, if that read, carried on by the messages delivered
     * since it ended, reaches {@code deliveredUpTo} (the newest seq members have been sent). Messages the
     * read saw beyond it are left out: members get them when they are delivered, and the run must never be
     * ahead of what members were sent.
     */
    void adopt(List<Message> latest, long deliveredUpTo) {
        if (run != null) {
            return;
        }
        long newest = latest.isEmpty() ? 0 : latest.getLast().seq();
        ArrayDeque<Message> adopted = new ArrayDeque<>(latest.size());
        for (Message m : latest) {
            if (m.seq() <= deliveredUpTo) {
                adopted.addLast(m);
            }
        }
        if (newest < deliveredUpTo) {
            // the read ends before the cursor (it ends where its member joined): what was delivered since
            // carries it on, if that reaches the cursor and either joins the read or is a full page itself
            if (since.isEmpty() || since.peekLast().seq() != deliveredUpTo) {
                return; // the run would have a hole
            }
            boolean joins = since.peekFirst().seq() <= newest + 1;
            if (!joins && since.size() < limit) {
                return; // a hole between the read and what was delivered since
            }
            if (!joins) {
                adopted.clear();
            }
            for (Message m : since) {
                if (m.seq() > newest) {
                    adopted.addLast(m);
                }
            }
        }
        while (adopted.size() > limit) {
            adopted.removeFirst();
        }
        run = adopted;
        upTo = deliveredUpTo;
        since.clear();
    }

    /** Keeps the run true to an event just delivered to the room's members. */
    void apply(RoomEvent event) {
        switch (event) {
            case RoomEvent.Posted posted -> delivered(posted.message());
            // a change takes a seq without a message: the run no longer holds every event after its start,
            // so it is forgotten, and the next join reads from the store (which replays the change)
            case RoomEvent.Edited edited -> forget();
            case RoomEvent.Deleted deleted -> forget();
            case RoomEvent.Reacted reacted -> forget();
            case RoomEvent.Unreacted unreacted -> forget();
        }
    }

    private void forget() {
        run = null;
        since.clear();
    }

    /** Continues the run with a message just delivered, or forgets the run if it does not continue it. */
    private void delivered(Message message) {
        if (run == null) {
            if (!since.isEmpty() && message.seq() != since.peekLast().seq() + 1) {
                since.clear();
            }
            since.addLast(message);
            if (since.size() > limit) {
                since.removeFirst();
            }
            return;
        }
        if (message.seq() != upTo + 1) {
            run = null;
            return;
        }
        run.addLast(message);
        upTo = message.seq();
        if (run.size() > limit) {
            run.removeFirst();
        }
    }

    /**
     * True when the run holds everything a member needs: all messages after {@code afterSeq}, or for a
     * page that shows nothing yet ({@code afterSeq < 0}) a full page of the latest ones.
     */
    boolean covers(long afterSeq) {
        if (run == null) {
            return false;
        }
        if (afterSeq >= upTo) {
            return true; // nothing missed
        }
        long first = run.isEmpty() ? upTo + 1 : run.peekFirst().seq();
        if (afterSeq >= 0) {
            return afterSeq >= first - 1;
        }
        return run.size() == limit || first == 1;
    }

    /**
     * The latest page as it stood when the room was at {@code position} (at most {@code limit} messages,
     * oldest first): the history of a member that joined then showing nothing, whose later messages were
     * held for it. Null when the run does not hold that page whole.
     */
    List<Message> latestUpTo(long position) {
        if (run == null || upTo < position) {
            return null;
        }
        ArrayDeque<Message> page = new ArrayDeque<>(limit + 1);
        for (Message m : run) {
            if (m.seq() > position) {
                break;
            }
            page.addLast(m);
            if (page.size() > limit) {
                page.removeFirst();
            }
        }
        if (page.isEmpty()) {
            return position == 0 ? List.of() : null;
        }
        if (page.size() < limit && page.peekFirst().seq() != 1) {
            return null; // older messages of that page are no longer in the run
        }
        return List.copyOf(page);
    }

    /** The messages of the run after {@code afterSeq}, oldest first. */
    List<Message> after(long afterSeq) {
        List<Message> list = new ArrayList<>(run.size());
        for (Message m : run) {
            if (m.seq() > afterSeq) {
                list.add(m);
            }
        }
        return list;
    }
}
