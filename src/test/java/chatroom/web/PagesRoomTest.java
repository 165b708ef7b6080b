package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A room's page at {@code GET /r/{room}}, its one address per room, and the 400 page for a bad name. */
class PagesRoomTest {

    @Test
    void room_page_connects_its_socket_and_has_a_message_list_and_a_message_input() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/r/general");
            // then
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(response.body())
                    .contains("ws-connect=\"/r/general/ws\"")
                    .contains("ws-send")
                    .contains("id=\"messages\"")
                    .containsPattern("<(input|textarea)[^>]* name=\"message\"");
        }
    }

    @Test
    void room_names_are_case_insensitive_and_the_page_has_one_address() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/r/General");
            // then
            assertThat(response.statusCode()).isIn(301, 302, 303, 307, 308);
            assertThat(response.headers().firstValue("Location")).hasValue("/r/general");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"has%20space", "bad!name", "a%2Fb"})
    void invalid_room_name_gets_a_400_page_that_names_the_rule(String name) throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/r/" + name);
            // then
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(response.body())
                    .contains("room name must be 1–64 letters, digits, '-' or '_'")
                    .doesNotContain("Exception")
                    .doesNotContain("chatroom.")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void percent_encoded_room_name_is_the_same_room() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/r/gen%65ral");
            // then
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("ws-connect=\"/r/general/ws\"");
        }
    }

    @Test
    void encoded_slash_in_a_room_name_does_not_reach_the_rooms_socket() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when "/r/x%2Fws" is asked for: a room named "x/ws", not the WebSocket path of room x
            HttpResponse<String> response = server.get("/r/x%2Fws");
            // then
            assertThat(response.statusCode()).isEqualTo(400);
        }
    }

    @Test
    void room_name_of_65_characters_gets_a_400_page_that_names_the_limit() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/r/" + "a".repeat(65));
            // then
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("1–64").doesNotContain("Exception");
        }
    }

    @Test
    void room_name_of_64_characters_is_a_room() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/r/" + "a".repeat(64));
            // then
            assertThat(response.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void older_messages_before_a_non_number_are_400() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/r/general/messages?before=abc");
            // then
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("before must be a message number").doesNotContain("Exception");
        }
    }

    @Test
    void older_messages_before_a_number_are_a_fragment() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/r/general/messages?before=10");
            // then
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).doesNotContain("<html");
        }
    }
}
