package chatroom.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Names and messages that would deceive a reader: invisible, reversed, or a wall of blank lines. */
class DeceptiveTextTest {

    @Test
    void a_name_made_only_of_invisible_characters_is_refused() {
        for (String invisible : new String[] {"\u200B\u200B", "\u3164", "\u2800 \u2800", "\u200D\uFEFF", " \u2060 "}) {
            assertThatThrownBy(() -> DisplayName.clean(invisible))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("name has no visible characters");
        }
    }

    @Test
    void a_name_loses_its_bidirectional_overrides_so_it_cannot_reverse_the_text_around_it() {
        assertThat(DisplayName.clean("\u202Eevil\u202C")).isEqualTo("evil");
        assertThat(DisplayName.clean("ann\u2066x\u2069")).isEqualTo("annx");
        assertThat(DisplayName.clean("  Zoë 🌻 ")).isEqualTo("Zoë 🌻");
    }

    @Test
    void a_message_that_would_look_empty_is_refused_and_a_visible_one_is_kept_whole() {
        assertThatThrownBy(() -> MessageText.clean("\u200B\u200C\u200D", 2000))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("message has no visible characters");
        assertThat(MessageText.clean("a\u200Db \u202Eeno\u202C", 2000)).isEqualTo("a\u200Db eno");
    }

    @Test
    void a_message_of_more_lines_than_the_limit_is_refused_with_the_count() {
        String wall = "x" + "\n.".repeat(MessageText.MAX_LINES);

        assertThatThrownBy(() -> MessageText.clean(wall, 100_000))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("message has " + (MessageText.MAX_LINES + 1) + " lines; the limit is " + MessageText.MAX_LINES);
        assertThat(MessageText.clean("x" + "\n.".repeat(MessageText.MAX_LINES - 1), 100_000)).startsWith("x\n.");
    }
}
