package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedisNamesTest {

    private final RedisNames channels = new RedisNames("chatroom");

    @Test
    void every_room_name_maps_to_its_own_channel_and_back() {
        List<String> rooms = List.of("lobby", "a:b", "a%3Ab", "a%b", "%3A", "a:room:b", ":", "%", "%%", "*", "日本語 ☃", "");
        Set<String> seen = new HashSet<>();
        for (String room : rooms) {
            String channel = channels.room(room);
            assertThat(seen.add(channel)).as("channel of '%s' is unique", room).isTrue();
            assertThat(channels.roomOf(channel)).isEqualTo(room);
        }
    }

    @Test
    void the_room_part_never_holds_a_colon_so_nested_prefixes_cannot_collide() {
        assertThat(channels.room("x:room:y")).isEqualTo("chatroom:room:x%3Aroom%3Ay");
        assertThat(new RedisNames("chatroom:room:x").room("y")).isEqualTo("chatroom:room:x:room:y");
        assertThat(channels.roomOf("chatroom:room:x:room:y")).isNull();
    }

    @Test
    void channels_of_other_deployments_and_probe_channels_are_not_rooms() {
        assertThat(channels.roomOf("other:room:lobby")).isNull();
        assertThat(channels.roomOf("chatroom:probe:node-a")).isNull();
        assertThat(channels.probe("node:a")).isEqualTo("chatroom:probe:node%3Aa");
    }

    @Test
    void a_room_s_presence_channel_names_that_room_alone_whatever_its_characters() {
        RedisNames names = new RedisNames("deploy");
        assertThat(names.presence("lounge")).isEqualTo("deploy:presence:lounge");
        assertThat(names.presence("a:b")).isNotEqualTo(names.presence("a%3Ab"));
        for (String room : new String[] {"lounge", "a:b", "a%3Ab", "%", "room:x:user:y", "~abc"}) {
            assertThat(names.roomOfPresence(names.presence(room))).isEqualTo(room);
            assertThat(names.presence(room).substring("deploy:presence:".length())).doesNotContain(":");
            assertThat(names.roomOf(names.presence(room))).as("a presence channel is not an event channel").isNull();
        }
    }

    @Test
    void channels_of_other_deployments_and_presence_keys_are_not_presence_channels() {
        RedisNames names = new RedisNames("deploy");
        assertThat(names.roomOfPresence("other:presence:lounge")).isNull();
        assertThat(names.roomOfPresence("deploy:presence:room:lounge:users")).isNull();
        assertThat(names.roomOfPresence("deploy:presence:")).isNull();
        assertThat(names.roomOfPresence(names.room("lounge"))).isNull();
    }
}
