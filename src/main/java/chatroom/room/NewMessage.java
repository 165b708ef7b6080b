package chatroom.room;

import java.time.Instant;

/** A message the room has accepted and asks the store to save; the store gives it its sequence number. */
public record NewMessage(String room, String authorId, String authorName, String text, Instant sentAt) {

    Message withSeq(long seq) {
        return new Message(room, seq, authorId, authorName, text, sentAt);
    }
}
