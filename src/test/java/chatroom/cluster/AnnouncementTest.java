package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.room.Message;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AnnouncementTest {

    @Test
    void a_message_survives_encoding_with_quotes_newlines_and_any_unicode() {
        Message message = new Message("a:b \"room\"", 42, "u-1", "Zoë \\ 🦊", "line 1\nline \"2\" <b>&</b> \u0000 日本",
                Instant.ofEpochMilli(1_800_000_000_123L));

        Announcement back = Announcement.decode(new Announcement("node-a", message).encode());

        assertThat(back).isEqualTo(new Announcement("node-a", message));
    }

    @Test
    void unknown_fields_are_skipped_so_newer_nodes_may_add_some() {
        Announcement back = Announcement.decode(
                "{\"v\":2,\"n\":\"n\",\"r\":\"lobby\",\"extra\":{\"x\":[1,2]},\"s\":1,\"a\":\"u\",\"u\":\"ann\",\"t\":\"hi\",\"at\":5}");

        assertThat(back.message()).isEqualTo(new Message("lobby", 1, "u", "ann", "hi", Instant.ofEpochMilli(5)));
    }

    @Test
    void malformed_or_incomplete_announcements_are_refused_with_a_reason() {
        assertThatThrownBy(() -> Announcement.decode("not json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> Announcement.decode("[1]")).hasMessage("announcement is not a JSON object");
        assertThatThrownBy(() -> Announcement.decode("{\"n\":\"n\",\"r\":\"lobby\",\"s\":0}"))
                .hasMessageContaining("lacks one of");
    }
}
