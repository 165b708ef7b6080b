package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.room.Author;
import chatroom.room.PresenceBoard.Change;
import chatroom.room.PresenceBoard.Rename;
import java.util.List;
import org.junit.jupiter.api.Test;

class PresenceCodecTest {

    static final Author ANN = new Author("u-\"ann\"", "ann <b>\u00e9\n", "0123456789ab");

    @Test
    void an_author_comes_back_as_written_whatever_its_characters() {
        assertThat(PresenceCodec.readAuthor(PresenceCodec.author(ANN))).isEqualTo(ANN);
    }

    @Test
    void joined_and_left_are_read_from_the_json_the_scripts_build_around_a_stored_author() {
        String author = PresenceCodec.author(ANN);
        assertThat(PresenceCodec.readChange("{\"joined\":" + author + "}")).isEqualTo(Change.joined(ANN));
        assertThat(PresenceCodec.readChange("{\"left\":" + author + "}")).isEqualTo(Change.left(ANN));
    }

    @Test
    void a_rename_carries_the_new_author_and_the_old_name() {
        Change change = PresenceCodec.readChange(PresenceCodec.renamed(ANN.renamed("anna"), "ann"));
        assertThat(change.renamed()).containsExactly(new Rename(ANN.renamed("anna"), "ann"));
        assertThat(change.joined()).isEmpty();
        assertThat(change.left()).isEmpty();
    }

    @Test
    void an_empty_object_is_a_change_with_nothing_to_announce() {
        assertThat(PresenceCodec.readChange("{}")).isEqualTo(new Change(List.of(), List.of(), List.of()));
    }

    @Test
    void what_is_not_a_change_is_refused_with_what_was_expected() {
        assertThatThrownBy(() -> PresenceCodec.readChange("[1]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> PresenceCodec.readChange("{\"joined\":{\"id\":\"x\"}}")).hasMessageContaining("id, name and tag");
        assertThatThrownBy(() -> PresenceCodec.readChange("{\"renamed\":" + PresenceCodec.author(ANN) + "}"))
                .hasMessageContaining("old name");
        assertThatThrownBy(() -> PresenceCodec.readChange("{\"joined\":")).isInstanceOf(IllegalArgumentException.class);
    }
}
