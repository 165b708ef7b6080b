package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.room.Author;
import chatroom.room.Message;
import chatroom.room.Quote;
import chatroom.room.Reaction;
import chatroom.room.PresenceBoard;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnnouncementTest {

    @Test
    void a_posted_message_survives_encoding_with_quotes_newlines_and_any_unicode() {
        Message message = new Message("a:b \"room\"", 42, "u-1", "Zoë \\ 🦊", "line 1\nline \"2\" <b>&</b> \u0000 日本",
                Instant.ofEpochMilli(1_800_000_000_123L), "cid-7");
        RoomEvent posted = new RoomEvent.Posted(message);

        String wire = Announcement.encode("node-a", posted);

        assertThat(wire).startsWith("{\"k\":\"posted\",");
        assertThat(Announcement.decode(wire)).isEqualTo(new Announcement.Of("node-a", posted));
    }

    @Test
    void an_edit_and_a_deletion_survive_encoding_with_the_message_as_it_became() {
        Message message = new Message("lobby", 7, "u-1", "Zoë", "first \"take\"", Instant.ofEpochMilli(1_800_000_000_123L), "cid-7");
        RoomEvent edited = new RoomEvent.Edited(12, message.editedTo("second <take> 🦊", Instant.ofEpochMilli(1_800_000_060_000L)));
        RoomEvent deleted = new RoomEvent.Deleted(13,
                message.editedTo("second", Instant.ofEpochMilli(1_800_000_060_000L)).deletedAt(Instant.ofEpochMilli(1_800_000_090_000L)), "u-mod");

        assertThat(Announcement.encode("node-a", edited)).startsWith("{\"k\":\"edited\",");
        assertThat(Announcement.decode(Announcement.encode("node-a", edited))).isEqualTo(new Announcement.Of("node-a", edited));
        assertThat(Announcement.decode(Announcement.encode("node-b", deleted))).isEqualTo(new Announcement.Of("node-b", deleted));
    }

    @Test
    void a_deletion_that_does_not_say_who_deleted_it_is_refused() {
        assertThatThrownBy(() -> Announcement.decode("{\"k\":\"deleted\",\"n\":\"n\",\"r\":\"lobby\",\"s\":9,\"ts\":4,"
                + "\"a\":\"u\",\"u\":\"ann\",\"t\":\"\",\"at\":5,\"dl\":6}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknown_fields_are_skipped_so_newer_nodes_may_add_some() {
        Announcement back = Announcement.decode("{\"k\":\"posted\",\"v\":2,\"n\":\"n\",\"r\":\"lobby\",\"extra\":{\"x\":[1,2]},"
                + "\"s\":1,\"a\":\"u\",\"u\":\"ann\",\"t\":\"hi\",\"at\":5}");

        assertThat(back).isEqualTo(new Announcement.Of(
                "n", new RoomEvent.Posted(new Message("lobby", 1, "u", "ann", "hi", Instant.ofEpochMilli(5)))));
    }

    @Test
    void an_announcement_without_a_kind_is_a_posted_message_as_older_nodes_write_them() {
        Announcement back =
                Announcement.decode("{\"n\":\"old\",\"r\":\"lobby\",\"s\":3,\"a\":\"u\",\"u\":\"ann\",\"t\":\"hi\",\"at\":5}");

        assertThat(back).isEqualTo(new Announcement.Of(
                "old", new RoomEvent.Posted(new Message("lobby", 3, "u", "ann", "hi", Instant.ofEpochMilli(5)))));
    }

    @Test
    void a_kind_this_node_does_not_know_is_read_as_unknown_with_its_room_and_seq_not_refused() {
        Announcement back = Announcement.decode(
                "{\"k\":\"pinned\",\"n\":\"new\",\"r\":\"lobby\",\"s\":9,\"target\":4}");

        assertThat(back).isEqualTo(new Announcement.Unknown("new", "pinned", "lobby", 9));
    }

    @Test
    void a_reaction_survives_encoding_with_the_message_its_quote_and_every_reaction() {
        Message reply = new Message("lobby", 4, "u-1", "ann", "yes", Instant.ofEpochMilli(5), "c-1", null, null,
                new Quote(2, "bob", "shall we?", false),
                List.of(new Reaction("🎉", "u-2", "bob <b>"), new Reaction("👍", "u-3", "cy")));
        for (RoomEvent event : List.<RoomEvent>of(
                new RoomEvent.Reacted(9, reply, "u-3", "👍"), new RoomEvent.Unreacted(10, reply.withReactions(List.of()), "u-3", "👍"),
                new RoomEvent.Posted(reply.withQuote(Quote.gone(1))),
                new RoomEvent.Edited(11, reply.withQuote(new Quote(2, "bob", "", true))))) {
            assertThat(Announcement.decode(Announcement.encode("n1", event))).isEqualTo(new Announcement.Of("n1", event));
        }
    }

    @Test
    void a_presence_signal_survives_encoding_with_every_joined_left_and_renamed_user() {
        Author ann = new Author("u-1", "ann \"the\" 🦊", "t1");
        Author bob = new Author("u-2", "bob", "t2");
        Author cy = new Author("u-3", "cyrus", "t3");
        Signal signal = new Signal.Presence(new PresenceBoard.Change(
                List.of(ann), List.of(bob), List.of(new PresenceBoard.Rename(cy, "cy"))));

        String wire = Announcement.encode("node-a", "a:b room", signal);

        assertThat(wire).startsWith("{\"k\":\"presence\",");
        assertThat(Announcement.decode(wire)).isEqualTo(new Announcement.Signalled("node-a", "a:b room", signal));
    }

    @Test
    void a_signal_of_a_kind_this_node_does_not_know_is_read_as_unknown_without_a_seq() {
        assertThat(Announcement.decode("{\"k\":\"recording\",\"n\":\"new\",\"r\":\"lobby\",\"who\":{\"id\":\"u\"}}"))
                .isEqualTo(new Announcement.Unknown("new", "recording", "lobby", 0));
    }

    @Test
    void someone_typing_survives_encoding_and_one_without_who_is_refused() {
        Signal typing = new Signal.Typing(new Author("u-1", "ann \"the\" 🦊", "t1"));

        String wire = Announcement.encode("node-a", "lobby", typing);

        assertThat(wire).startsWith("{\"k\":\"typing\",");
        assertThat(Announcement.decode(wire)).isEqualTo(new Announcement.Signalled("node-a", "lobby", typing));
        assertThatThrownBy(() -> Announcement.decode("{\"k\":\"typing\",\"n\":\"n\",\"r\":\"lobby\"}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformed_or_incomplete_announcements_are_refused_with_a_reason() {
        assertThatThrownBy(() -> Announcement.decode("not json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> Announcement.decode("[1]")).hasMessage("announcement is not a JSON object");
        assertThatThrownBy(() -> Announcement.decode("{\"n\":\"n\",\"r\":\"lobby\",\"s\":0}"))
                .hasMessageContaining("lacks one of");
        assertThatThrownBy(() -> Announcement.decode("{\"k\":\"posted\",\"n\":\"n\",\"r\":\"lobby\",\"s\":2}"))
                .hasMessageContaining("lacks one of s (≥ 1), a, u, t, at");
    }
}
