package chatroom.web;

import static chatroom.web.PagesLobbyTest.cookieOf;
import static chatroom.web.PagesLobbyTest.nameShownIn;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The forms that change state: {@code POST /private} and {@code POST /name}, and who may send them. */
class PagesFormsTest {

    private static final String PRIVATE_ROOM = "/r/~[a-z2-7]{26}";

    @Test
    void private_room_form_from_another_site_is_403() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.postForm("/private", "", "Origin", "http://evil.example");
            // then
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.headers().firstValue("Location")).isEmpty();
        }
    }

    @Test
    void private_room_form_from_this_site_leads_to_a_new_private_room() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.postForm("/private", "", "Origin", origin(server));
            // then
            assertThat(response.statusCode()).isEqualTo(303);
            assertThat(response.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location)
                    .matches(PRIVATE_ROOM));
        }
    }

    @Test
    void each_private_room_form_makes_a_different_room() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            String first = privateRoom(server);
            String second = privateRoom(server);
            // then
            assertThat(first).isNotEqualTo(second);
        }
    }

    @Test
    void private_room_page_is_served() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given
            String room = privateRoom(server);
            // when
            HttpResponse<String> page = server.get(room);
            // then
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("ws-connect=\"" + room + "/ws\"");
        }
    }

    @Test
    void private_room_is_not_listed_in_the_lobby_even_with_people_and_messages_in_it() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given someone in a private room who has spoken, and someone in a public room as a control
            String room = privateRoom(server);
            try (WsClient secret = WsClient.connect(server.ws(room + "/ws"));
                    WsClient open = WsClient.connect(server.ws("/r/lounge/ws"))) {
                Await.until(() -> PagesLobbyTest.connections(server) == 2, "both members to be connected");
                secret.say("nobody else should find this room");
                secret.awaitMessages(1);
                // when
                String lobby = server.get("/").body();
                // then
                assertThat(lobby).contains("/r/lounge");
                assertThat(lobby).doesNotContain(room.substring("/r/".length())).doesNotContain("/r/~");
            }
        }
    }

    @Test
    void rename_reissues_the_cookie_and_the_room_page_shows_the_new_name() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given
            String cookie = cookieOf(server.get("/"));
            // when
            HttpResponse<String> renamed = server.postForm("/name", "name=" + form("Ada Lovelace"),
                    "Origin", origin(server), "Cookie", cookie);
            // then
            assertThat(renamed.statusCode()).isEqualTo(303);
            String newCookie = cookieOf(renamed);
            assertThat(newCookie).isNotEqualTo(cookie);
            assertThat(userIdIn(newCookie)).isEqualTo(userIdIn(cookie));
            assertThat(nameShownIn(server.get("/r/general", "Cookie", newCookie).body())).isEqualTo("Ada Lovelace");
        }
    }

    @Test
    void rename_from_another_site_is_403() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response =
                    server.postForm("/name", "name=mallory", "Origin", "http://evil.example");
            // then
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.headers().allValues("Set-Cookie")).noneMatch(c -> c.contains(".bWFsbG9yeQ."));
        }
    }

    @Test
    void empty_name_is_400_naming_the_rule() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.postForm("/name", "name=%20%20", "Origin", origin(server));
            // then
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("name is empty");
        }
    }

    @Test
    void name_of_33_characters_is_400_naming_the_limit() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.postForm("/name", "name=" + "n".repeat(33), "Origin", origin(server));
            // then
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("name is 33 characters; the limit is 32");
        }
    }

    @Test
    void name_with_a_control_character_is_400_naming_the_rule() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.postForm("/name", "name=" + form("bell\u0007"), "Origin", origin(server));
            // then
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("name may not contain control characters");
        }
    }

    @Test
    void tampered_identity_cookie_is_ignored_and_a_new_guest_identity_is_issued() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given a renamed visitor whose cookie then has one character of its signature changed
            String cookie = cookieOf(server.postForm("/name", "name=admin", "Origin", origin(server)));
            int i = cookie.lastIndexOf('.') + 5;
            String tampered = cookie.substring(0, i) + (cookie.charAt(i) == 'A' ? 'B' : 'A') + cookie.substring(i + 1);
            // when
            HttpResponse<String> response = server.get("/", "Cookie", tampered);
            // then
            String issued = cookieOf(response);
            assertThat(userIdIn(issued)).isNotEqualTo(userIdIn(cookie));
            assertThat(nameShownIn(response.body())).startsWith("guest-").isNotEqualTo("admin");
        }
    }

    private static String privateRoom(TestServer server) throws Exception {
        return server.postForm("/private", "", "Origin", origin(server))
                .headers()
                .firstValue("Location")
                .orElseThrow();
    }

    private static String origin(TestServer server) {
        return "http://127.0.0.1:" + server.port();
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The user id in a {@code chatroom_id=id.name.signature} cookie. */
    private static String userIdIn(String cookie) {
        return cookie.substring(cookie.indexOf('=') + 1).split("\\.")[0];
    }
}
