package chatroom.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NameKeyTest {

    @Test
    void names_that_look_alike_share_a_key() {
        String alice = NameKey.of("Alice");
        for (String lookalike : List.of("alice", "ALICE", "Àlice", "A l i c e", "al1ce", "AL1CE", "a.lice", "Аlice" /* Cyrillic А */,
                "ａｌｉｃｅ" /* full width */, "ALİCE", "a!ice", "Alıce")) {
            assertThat(NameKey.of(lookalike)).as(lookalike).isEqualTo(alice);
        }
        assertThat(NameKey.of("rnatt")).isEqualTo(NameKey.of("matt"));
        assertThat(NameKey.of("vvill")).isEqualTo(NameKey.of("will"));
    }

    @Test
    void different_names_keep_different_keys() {
        assertThat(NameKey.of("Alice")).isNotEqualTo(NameKey.of("Alicia"));
        assertThat(NameKey.of("bob")).isNotEqualTo(NameKey.of("rob"));
        assertThat(NameKey.of("李雷")).isNotEqualTo(NameKey.of("韩梅梅"));
        assertThat(NameKey.of("🦊")).as("a name with no letters is its own key").isNotEqualTo(NameKey.of("🐻"));
    }
}
