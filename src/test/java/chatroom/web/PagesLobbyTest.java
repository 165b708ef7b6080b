package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lobby at {@code GET /}: what it lists, the forms it offers, and the identity cookie it sets. */
class PagesLobbyTest {

    @Test
    void lobby_is_html_with_a_form_to_enter_a_room_and_one_to_create_a_private_room() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/");
            // then
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(response.body())
                    .contains("<form class=\"enter\" method=\"get\" action=\"/enter\">")
                    .contains("name=\"room\"")
                    .contains("<form method=\"post\" action=\"/private\"");
        }
    }

    @Test
    void entering_a_room_by_name_leads_to_its_page() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when the lobby's form is sent
            HttpResponse<String> response = server.get("/enter?room=Kitchen");
            // then
            assertThat(response.statusCode()).isEqualTo(303);
            assertThat(response.headers().firstValue("Location")).hasValue("/r/kitchen");
        }
    }

    @Test
    void lobby_lists_a_room_with_people_in_it() throws Exception {
        try (TestServer server = TestServer.start();
                WsClient member = WsClient.connect(server.ws("/r/kitchen/ws"))) {
            // given
            Await.until(() -> connections(server) == 1, "the member to be connected");
            // when: the room takes the member in on its own thread, so the lobby may need a moment
            String lobby = Await.until(() -> {
                String page = lobbyOf(server);
                return page.contains("1 person here") ? page : null;
            }, "the lobby to count the member");
            // then
            assertThat(lobby).contains("<a href=\"/r/kitchen\">").contains("#kitchen</span>").contains("1 person here");
        }
    }

    @Test
    void first_visit_sets_an_http_only_same_site_lax_identity_cookie() throws Exception {
        try (TestServer server = TestServer.start()) {
            // when
            HttpResponse<String> response = server.get("/");
            // then
            List<String> cookies = response.headers().allValues("Set-Cookie");
            assertThat(cookies).hasSize(1);
            assertThat(cookies.get(0))
                    .startsWith(Identities.COOKIE + "=")
                    .containsIgnoringCase("; HTTPOnly")
                    .containsIgnoringCase("; SameSite=Lax")
                    .contains("; Path=/");
        }
    }

    @Test
    void returning_visitor_who_sends_the_cookie_back_gets_no_new_cookie() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given
            String cookie = cookieOf(server.get("/"));
            // when
            HttpResponse<String> again = server.get("/", "Cookie", cookie);
            // then
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.headers().allValues("Set-Cookie")).isEmpty();
        }
    }

    @Test
    void returning_visitor_keeps_the_name_in_the_cookie() throws Exception {
        try (TestServer server = TestServer.start()) {
            // given
            HttpResponse<String> first = server.get("/");
            String guest = nameShownIn(first.body());
            // when
            String again = server.get("/", "Cookie", cookieOf(first)).body();
            // then
            assertThat(guest).startsWith("guest-");
            assertThat(nameShownIn(again)).isEqualTo(guest);
        }
    }

    /** The server's open WebSocket count, for waits. */
    static String lobbyOf(TestServer server) {
        try {
            return server.get("/").body();
        } catch (Exception e) {
            throw new AssertionError("GET / failed", e);
        }
    }

    static int connections(TestServer server) {
        try {
            return server.status().getOrDefault("connections", -1);
        } catch (Exception e) {
            throw new AssertionError("GET /status failed", e);
        }
    }

    /** The {@code name=value} part of the response's identity cookie, to send back. */
    static String cookieOf(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Set-Cookie")
                .orElseThrow(() -> new AssertionError("no Set-Cookie in " + response.headers().map()))
                .split(";", 2)[0];
    }

    /** The name in the page's name form. */
    static String nameShownIn(String page) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("id=\"display-name\" name=\"name\" value=\"([^\"]*)\"")
                .matcher(page);
        if (!m.find()) {
            throw new AssertionError("no name form in the page:\n" + page);
        }
        return m.group(1);
    }
}
