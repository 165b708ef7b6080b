package chatroom.web;

import chatroom.room.Author;
import chatroom.room.Message;
import gg.jte.Content;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A stored message as the templates show it, as it now is (edited: when, last; deleted: no text). The
 * time is given in UTC as ISO-8601 for the page's script to show in the reader's own time zone, and as
 * HH:mm UTC for readers without scripts.
 */
public record MessageView(
        long seq, String author, String tag, Content text, String iso, String clock, String cid, String editedIso, boolean deleted) {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    static MessageView of(Message m) {
        return new MessageView(
                m.seq(),
                m.authorName(),
                Author.tagOf(m.authorId()),
                new LinkedText(m.text()),
                DateTimeFormatter.ISO_INSTANT.format(m.sentAt()),
                CLOCK.format(m.sentAt()),
                m.clientId(),
                m.editedAt() == null ? null : DateTimeFormatter.ISO_INSTANT.format(m.editedAt()),
                m.deleted());
    }
}
