package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PresenceKeysTest {

    @Test
    void an_index_field_splits_at_its_one_colon_into_room_and_user() {
        String field = PresenceKeys.indexField("a:b", "user:1");
        int colon = field.indexOf(':');
        assertThat(field.lastIndexOf(':')).isEqualTo(colon);
        assertThat(PresenceKeys.unescape(field.substring(0, colon))).isEqualTo("a:b");
        assertThat(PresenceKeys.unescape(field.substring(colon + 1))).isEqualTo("user:1");
    }
}
