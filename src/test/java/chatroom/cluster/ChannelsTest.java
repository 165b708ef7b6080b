package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChannelsTest {

    private final Channels channels = new Channels("chatroom");

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
        assertThat(new Channels("chatroom:room:x").room("y")).isEqualTo("chatroom:room:x:room:y");
        assertThat(channels.roomOf("chatroom:room:x:room:y")).isNull();
    }

    @Test
    void channels_of_other_deployments_and_probe_channels_are_not_rooms() {
        assertThat(channels.roomOf("other:room:lobby")).isNull();
        assertThat(channels.roomOf("chatroom:probe:node-a")).isNull();
        assertThat(channels.probe("node:a")).isEqualTo("chatroom:probe:node%3Aa");
    }
}
