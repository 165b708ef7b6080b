package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PresenceKeysTest {

    final PresenceKeys keys = new PresenceKeys("deploy");

    @Test
    void a_room_s_channel_names_that_room_alone_whatever_its_characters() {
        assertThat(keys.channel("lounge")).isEqualTo("deploy:presence:lounge");
        assertThat(keys.channel("a:b")).isNotEqualTo(keys.channel("a%3Ab"));
        for (String room : new String[] {"lounge", "a:b", "a%3Ab", "%", "room:x:user:y", "~abc"}) {
            assertThat(keys.roomOfChannel(keys.channel(room))).isEqualTo(room);
            assertThat(keys.channel(room).substring("deploy:presence:".length())).doesNotContain(":");
        }
    }

    @Test
    void channels_of_other_deployments_and_keys_are_not_room_channels() {
        assertThat(keys.roomOfChannel("other:presence:lounge")).isNull();
        assertThat(keys.roomOfChannel("deploy:presence:room:lounge:users")).isNull();
        assertThat(keys.roomOfChannel("deploy:presence:")).isNull();
    }

    @Test
    void an_index_field_splits_at_its_one_colon_into_room_and_user() {
        String field = PresenceKeys.indexField("a:b", "user:1");
        int colon = field.indexOf(':');
        assertThat(field.lastIndexOf(':')).isEqualTo(colon);
        assertThat(PresenceKeys.unescape(field.substring(0, colon))).isEqualTo("a:b");
        assertThat(PresenceKeys.unescape(field.substring(colon + 1))).isEqualTo("user:1");
    }
}
