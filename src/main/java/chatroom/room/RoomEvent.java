package chatroom.room;

/**
 * Something that happened in a room and changed what it shows: what the store numbers (its {@code seq},
 * the room's next sequence number, assigned in the commit that stores it), what the feed carries to every
 * node, and what each node's {@link RoomCursor} puts in order. Every seq is an event, so replay after a
 * reconnect, gap filling and "you missed N" count events; only page rendering reads messages as they now
 * are ({@link MessagePages}).
 *
 * <p>A new kind of event is a record here (and a {@link NewEvent} for the room to append); the compiler
 * then lists the switches that must answer it: the store's append and reads, the feed's codec, the
 * room's delivery and its run of recent messages, and the views.
 */
public sealed interface RoomEvent {

    String room();

    long seq();

    /** The message it posted or changed, as it became. */
    Message message();

    /** This event with {@code now} as its message (the message as a later read finds it). */
    RoomEvent withMessage(Message now);

    /** A message was posted: the message as stored. */
    record Posted(Message message) implements RoomEvent {
        @Override
        public String room() {
            return message.room();
        }

        @Override
        public long seq() {
            return message.seq();
        }

        @Override
        public Posted withMessage(Message now) {
            return new Posted(now);
        }
    }

    /**
     * A message's text was replaced: {@code message} is the message after the edit (its seq is the
     * message's, {@code seq} the edit's). Read back from the store, it is the message as it now is, which
     * may be newer still (edited again, or deleted).
     */
    record Edited(long seq, Message message) implements RoomEvent {
        @Override
        public String room() {
            return message.room();
        }

        @Override
        public Edited withMessage(Message now) {
            return new Edited(seq, now);
        }
    }

    /** A message was deleted by {@code byId}: {@code message} is what remains of it (no text). */
    record Deleted(long seq, Message message, String byId) implements RoomEvent {
        @Override
        public String room() {
            return message.room();
        }

        @Override
        public Deleted withMessage(Message now) {
            return new Deleted(seq, now, byId);
        }
    }

    /**
     * {@code byId} reacted to a message with {@code emoji}: {@code message} is the message with its
     * reactions as they now are.
     */
    record Reacted(long seq, Message message, String byId, String emoji) implements RoomEvent {
        @Override
        public String room() {
            return message.room();
        }

        @Override
        public Reacted withMessage(Message now) {
            return new Reacted(seq, now, byId, emoji);
        }
    }

    /** {@code byId} took back their reaction {@code emoji}: {@code message} with its reactions as they now are. */
    record Unreacted(long seq, Message message, String byId, String emoji) implements RoomEvent {
        @Override
        public String room() {
            return message.room();
        }

        @Override
        public Unreacted withMessage(Message now) {
            return new Unreacted(seq, now, byId, emoji);
        }
    }
}
