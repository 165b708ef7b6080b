package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Who a message is from: the signed cookie decides, never the frame. */
class IdentitySocketTest {

    @Test
    void a_rename_shows_in_later_messages_and_in_the_other_members_presence_list() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0")) {
            String cookie = cookieOf(server.get("/"));
            try (WsClient ann = WsClient.connect(server.ws("/r/names/ws"), "Cookie", cookie);
                    WsClient bob = WsClient.connect(server.ws("/r/names/ws"))) {
                String guestName = cookieName(server, cookie);
                bob.awaitFrame(f -> f.contains("id=\"presence\"") && f.contains(">" + guestName + "<"));
                ann.say("before");
                bob.awaitFrame(f -> f.contains("class=\"author\">" + guestName + "<"));

                HttpResponse<String> renamed = server.postForm("/name", "name=Ann+Lee", "Cookie", cookie,
                        "Origin", "http://127.0.0.1:" + server.port(), "HX-Request", "true");
                assertThat(renamed.statusCode()).isEqualTo(204);

                bob.awaitFrame(f -> f.contains("id=\"presence\"") && f.contains(">Ann Lee<"));
                bob.awaitFrame(f -> f.contains("<bdi>" + guestName + "</bdi> is now <bdi>Ann Lee</bdi>"));
                ann.say("after");
                String after = bob.awaitFrame(f -> f.contains(">after<"));
                assertThat(after).contains("class=\"author\">Ann Lee<");
            }
        }
    }

    @Test
    void a_rename_is_told_in_every_room_the_user_has_a_socket_in_and_in_no_other() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0")) {
            String ann = cookieOf(server.get("/"));
            String cy = cookieOf(server.get("/"));
            String annName = cookieName(server, ann);
            String cyName = cookieName(server, cy);
            try (WsClient annInA = WsClient.connect(server.ws("/r/room-a/ws"), "Cookie", ann);
                    WsClient annInB = WsClient.connect(server.ws("/r/room-b/ws"), "Cookie", ann);
                    WsClient cyInC = WsClient.connect(server.ws("/r/room-c/ws"), "Cookie", cy);
                    WsClient bobInA = WsClient.connect(server.ws("/r/room-a/ws"));
                    WsClient bobInB = WsClient.connect(server.ws("/r/room-b/ws"));
                    WsClient bobInC = WsClient.connect(server.ws("/r/room-c/ws"))) {
                bobInA.awaitFrame(f -> f.contains("id=\"presence\"") && f.contains(">" + annName + "<"));
                bobInB.awaitFrame(f -> f.contains("id=\"presence\"") && f.contains(">" + annName + "<"));
                bobInC.awaitFrame(f -> f.contains("id=\"presence\"") && f.contains(">" + cyName + "<"));

                // when ann, with sockets in rooms A and B, renames herself
                assertThat(rename(server, ann, "Ann+Lee").statusCode()).isEqualTo(204);

                // then both of her rooms are told
                String notice = "<bdi>" + annName + "</bdi> is now <bdi>Ann Lee</bdi>";
                bobInA.awaitFrame(f -> f.contains(notice));
                bobInB.awaitFrame(f -> f.contains(notice));
                // and room C, where she has no socket, is not: cy's rename after hers is told there (the
                // marker), and hers never was
                assertThat(rename(server, cy, "Cy+Young").statusCode()).isEqualTo(204);
                bobInC.awaitFrame(f -> f.contains("<bdi>" + cyName + "</bdi> is now <bdi>Cy Young</bdi>"));
                assertThat(bobInC.frames()).noneMatch(f -> f.contains("Ann Lee"));
                cyInC.awaitFrame(f -> f.contains("is now <bdi>Cy Young</bdi>"));
                assertThat(cyInC.frames()).noneMatch(f -> f.contains("Ann Lee"));
                // and her own sockets take the name: her next message in each room is from Ann Lee
                annInA.say("from a");
                annInB.say("from b");
                assertThat(bobInA.awaitFrame(f -> f.contains(">from a<"))).contains("class=\"author\">Ann Lee<");
                assertThat(bobInB.awaitFrame(f -> f.contains(">from b<"))).contains("class=\"author\">Ann Lee<");
            }
        }
    }

    private static HttpResponse<String> rename(TestServer server, String cookie, String formName) throws Exception {
        return server.postForm("/name", "name=" + formName, "Cookie", cookie,
                "Origin", "http://127.0.0.1:" + server.port(), "HX-Request", "true");
    }

    @Test
    void a_name_or_id_inside_a_frame_is_ignored() throws Exception {
        try (TestServer server = TestServer.start();
                WsClient eve = WsClient.connect(server.ws("/r/spoof/ws"))) {
            eve.send("{\"message\":\"hi\",\"name\":\"admin\",\"author\":\"admin\",\"userId\":\"x\",\"HEADERS\":{}}");
            String frame = eve.awaitFrame(f -> f.contains(">hi<"));
            assertThat(frame).containsPattern("class=\"author\">guest-\\d{4}<");
        }
    }

    @Test
    void a_tampered_cookie_on_the_socket_makes_a_new_guest() throws Exception {
        try (TestServer server = TestServer.start()) {
            String cookie = cookieOf(server.get("/"));
            String name = cookieName(server, cookie);
            String tampered = cookie.substring(0, cookie.length() - 2) + (cookie.endsWith("A") ? "BB" : "AA");
            try (WsClient mallory = WsClient.connect(server.ws("/r/tamper/ws"), "Cookie", tampered)) {
                mallory.say("who am i");
                String frame = mallory.awaitFrame(f -> f.contains(">who am i<"));
                assertThat(frame).doesNotContain("class=\"author\">" + name + "<");
            }
        }
    }

    private static String cookieOf(HttpResponse<?> response) {
        String setCookie = response.headers().firstValue("set-cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** The display name the server shows for a cookie, read from the name form of a page. */
    private static String cookieName(TestServer server, String cookie) throws Exception {
        String page = server.get("/", "Cookie", cookie).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"name\" value=\"([^\"]+)\"").matcher(page);
        assertThat(m.find()).as("the name form shows the name").isTrue();
        return m.group(1);
    }

    @Test
    void two_users_with_the_same_name_are_told_apart_by_their_tags_and_names_are_isolated() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0")) {
            String origin = "http://127.0.0.1:" + server.port();
            String[] cookies = new String[2];
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> renamed = server.postForm("/name", "name=alice", "Cookie", cookieOf(server.get("/")),
                        "Origin", origin, "HX-Request", "true");
                cookies[i] = cookieOf(renamed);
            }
            try (WsClient first = WsClient.connect(server.ws("/r/twins/ws"), "Cookie", cookies[0]);
                    WsClient second = WsClient.connect(server.ws("/r/twins/ws"), "Cookie", cookies[1])) {
                first.say("one");
                second.say("two");
                Pattern tagged = Pattern.compile(
                        "<bdi class=\"author\">alice</bdi> <span class=\"tag\"[^>]*>#([0-9a-f]{4})</span>");
                // both messages may come in one frame (what waits for a socket is sent together): each
                // message's tag is the last one before its text
                List<String> tags = List.of(">one<", ">two<").stream().map(text -> {
                    String frame = first.awaitFrame(f -> f.contains(text));
                    Matcher m = tagged.matcher(frame.substring(0, frame.indexOf(text)));
                    String tag = null;
                    while (m.find()) {
                        tag = m.group(1);
                    }
                    assertThat(tag).as("an isolated, tagged author before %s in %s", text, frame).isNotNull();
                    return tag;
                }).toList();
                assertThat(tags.get(0)).isNotEqualTo(tags.get(1));
            }
        }
    }
}
