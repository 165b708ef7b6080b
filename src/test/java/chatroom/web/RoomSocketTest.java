package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The WebSocket endpoint end to end: real server, real clients, the wire protocol of the page. */
class RoomSocketTest {

    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start("--rate", "0");
    }

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        server.close();
    }

    private WsClient join(String room, String... headers) {
        WsClient client = WsClient.connect(server.ws("/r/" + room + "/ws"), headers);
        clients.add(client);
        return client;
    }

    /** Waits until the room has registered the member (its presence list names it), so later messages reach it. */
    private WsClient joined(String room) {
        WsClient client = join(room);
        client.awaitFrame(f -> f.contains("id=\"presence\""));
        return client;
    }

    @Test
    void message_from_one_member_reaches_every_member_of_the_room_and_no_other_room() {
        WsClient ann = joined("kitchen");
        WsClient bob = joined("kitchen");
        WsClient eve = joined("garage");

        ann.say("dinner is ready");

        assertThat(ann.awaitMessages(1)).containsExactly("dinner is ready");
        assertThat(bob.awaitMessages(1)).containsExactly("dinner is ready");
        eve.say("marker");
        assertThat(eve.awaitMessages(1)).containsExactly("marker");
    }

    @Test
    void every_member_sees_concurrent_senders_in_the_same_order() throws Exception {
        List<WsClient> members = IntStream.range(0, 4).mapToObj(i -> joined("busy")).toList();
        int perSender = 50;
        ExecutorService senders = Executors.newFixedThreadPool(members.size());
        for (int s = 0; s < members.size(); s++) {
            int sender = s;
            senders.submit(() -> {
                for (int i = 0; i < perSender; i++) {
                    members.get(sender).say("s" + sender + "-" + i);
                }
            });
        }
        senders.shutdown();
        int total = perSender * members.size();

        List<String> first = members.get(0).awaitMessages(total);
        for (WsClient member : members) {
            assertThat(member.awaitMessages(total)).isEqualTo(first);
            List<Long> seqs = member.seqs();
            // gap-free: exactly 1..total, in order
            assertThat(seqs).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, total).boxed().toList());
        }
        for (int s = 0; s < members.size(); s++) {
            String prefix = "s" + s + "-";
            List<String> own = first.stream().filter(t -> t.startsWith(prefix)).toList();
            assertThat(own).containsExactlyElementsOf(IntStream.range(0, perSender).mapToObj(i -> prefix + i).toList());
        }
    }

    @Test
    void html_in_a_message_arrives_escaped() {
        WsClient ann = joined("xss");
        ann.say("<img src=x onerror=alert(1)><script>alert(2)</script> & \"quotes\"");
        String frame = ann.awaitFrame(f -> f.contains("class=\"msg\""));
        assertThat(frame).doesNotContain("<img").doesNotContain("<script");
        assertThat(frame).contains("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt; &amp;");
    }

    @Test
    void ping_is_answered_pong() {
        WsClient ann = join("pings");
        ann.send("ping");
        ann.awaitFrame("pong"::equals);
    }

    @Test
    void frames_carry_out_of_band_swaps_with_ids_on_every_top_level_element() {
        WsClient ann = joined("oob");
        ann.say("hello");
        String frame = ann.awaitFrame(f -> f.contains("class=\"msg\""));
        assertThat(frame).startsWith("<div id=\"messages\" hx-swap-oob=\"beforeend\">");
        assertThat(frame).containsPattern("<article class=\"msg\" id=\"m-1\" data-seq=\"1\"");
    }

    @Test
    void the_htmx_4_payload_with_lower_case_headers_is_accepted_and_extra_fields_ignored() {
        WsClient ann = joined("htmx4");
        ann.send("{\"headers\":{\"HX-Request\":\"true\"},\"message\":\"from htmx 4\",\"name\":\"admin\",\"id\":\"x\"}");
        assertThat(ann.awaitMessages(1)).containsExactly("from htmx 4");
        assertThat(ann.frames().stream().filter(f -> f.contains("class=\"msg\"")).findFirst().orElseThrow())
                .doesNotContain(">admin<");
    }

    @Test
    void malformed_empty_and_over_long_frames_get_an_error_for_the_sender_only_and_the_room_carries_on() {
        WsClient ann = joined("rules");
        WsClient bob = joined("rules");

        ann.send("this is not json");
        ann.awaitFrame(f -> f.contains("composer-error") && f.contains("not valid JSON"));
        ann.send("{\"text\":\"no message field\"}");
        ann.awaitFrame(f -> f.contains("no &#34;message&#34; field") || f.contains("no \"message\" field"));
        ann.say("   ");
        ann.awaitFrame(f -> f.contains("message is empty"));
        ann.say("x".repeat(2001));
        ann.awaitFrame(f -> f.contains("message is 2001 characters; the limit is 2000"));

        ann.say("still here");
        assertThat(bob.awaitMessages(1)).containsExactly("still here");
        assertThat(bob.frames()).noneMatch(f -> f.contains("composer-error"));
    }

    @Test
    void an_oversized_frame_closes_that_socket_with_1009_and_the_room_carries_on() {
        WsClient ann = joined("big");
        WsClient bob = joined("big");

        ann.say("y".repeat(20_000));

        assertThat(ann.awaitClose()).isEqualTo(1009);
        bob.say("after the big one");
        assertThat(bob.awaitMessages(1)).containsExactly("after the big one");
    }

    @Test
    void an_upgrade_from_another_site_is_refused_and_from_our_own_page_accepted() {
        assertThatThrownBy(() -> join("origin", "Origin", "http://evil.example"))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
                        .isEqualTo(403));

        WsClient own = join("origin", "Origin", "http://127.0.0.1:" + server.port());
        own.send("ping");
        own.awaitFrame("pong"::equals);
    }

    @Test
    void the_seed_designs_connect_path_is_the_default_room() {
        WsClient seed = WsClient.connect(server.ws("/connect"));
        clients.add(seed);
        seed.awaitFrame(f -> f.contains("id=\"presence\""));
        WsClient page = joined("general");
        seed.say("from the seed protocol");
        assertThat(page.awaitMessages(1)).containsExactly("from the seed protocol");
    }

    @Test
    void a_message_whose_commit_waits_on_the_sqlite_lock_reaches_no_member_until_it_commits_then_each_once() throws Exception {
        WsClient ann = joined("locked");
        WsClient bob = joined("locked");
        ann.say("first");
        bob.awaitMessages(1);
        try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + server.dir.resolve("chatroom.db"))) {
            // given the database's write lock taken by a connection of the test's own: the server's writer
            // waits for it (its busy timeout, 5 s, is what bounds this hold) before it can commit
            lock.setAutoCommit(false);
            try (Statement update = lock.createStatement()) {
                update.executeUpdate("UPDATE rooms SET last_seq = last_seq WHERE room = 'locked'");
            }

            // when ann sends, and the server's writer is in SQLite, waiting for the lock
            ann.say("held");
            Await.until(RoomSocketTest::writerInSqlite, "the store's writer to wait in SQLite for the test's lock");
            // (the marker: the room goes on meanwhile; a newcomer's arrival reaches bob after ann's message did
            // reach the room)
            WsClient cy = joined("locked");
            bob.awaitFrame(f -> f.contains("people-count\" class=\"count\" hx-swap-oob=\"true\">3"));

            // then nobody has been shown it
            assertThat(ann.messageTexts()).containsExactly("first");
            assertThat(bob.messageTexts()).containsExactly("first");
            assertThat(cy.messageTexts()).containsExactly("first");
            assertThat(writerInSqlite()).as("the writer still waiting after the checks").isTrue();
            lock.rollback();
        }
        // and once it commits, everyone gets it once, before what comes after it
        bob.awaitMessages(2);
        bob.say("after");
        for (WsClient member : List.of(ann, bob)) {
            assertThat(member.awaitMessages(3)).containsExactly("first", "held", "after");
            assertThat(member.seqs()).containsExactly(1L, 2L, 3L);
        }
    }

    /** Whether the store's writer thread is inside SQLite's native code (where it waits out a busy lock). */
    private static boolean writerInSqlite() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("store-writer"))
                .anyMatch(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith("org.sqlite.core.")));
    }

    @Test
    void a_plain_get_on_a_websocket_path_is_answered_426() throws Exception {
        HttpResponse<String> response = server.get("/r/x/ws");
        assertThat(response.statusCode()).isEqualTo(426);
        assertThat(response.body().strip()).doesNotContain("\n").contains("WebSocket");
    }

    @Test
    void a_sender_over_the_rate_limit_gets_an_error_and_nothing_is_broadcast_for_it() throws Exception {
        try (TestServer limited = TestServer.start("--rate", "1", "--burst", "3")) {
            WsClient ann = WsClient.connect(limited.ws("/r/flood/ws"));
            clients.add(ann);
            ann.awaitFrame(f -> f.contains("id=\"presence\""));
            WsClient bob = WsClient.connect(limited.ws("/r/flood/ws"));
            clients.add(bob);
            bob.awaitFrame(f -> f.contains("id=\"presence\""));
            for (int i = 0; i < 6; i++) {
                ann.say("m" + i);
            }
            // the socket's frames are judged in order: once "ping" is answered, all six have been
            ann.send("ping");
            ann.awaitFrame("pong"::equals);
            // the marker: a message sent after them, which reaches the room after any of them would have
            bob.say("marker");
            Await.until(() -> bob.messageTexts().contains("marker") && ann.messageTexts().contains("marker") ? true : null,
                    "the marker", () -> "ann got " + ann.messageTexts() + "; bob got " + bob.messageTexts());
            // then the burst (3, and a 4th should the clock have refilled one meanwhile) came before the
            // marker, each refused one got an error, and none of those was broadcast before or after
            List<String> shown = ann.messageTexts();
            int accepted = shown.indexOf("marker");
            assertThat(accepted).isBetween(3, 4);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < accepted; i++) {
                expected.add("m" + i);
            }
            expected.add("marker");
            assertThat(shown).isEqualTo(expected);
            assertThat(bob.messageTexts()).isEqualTo(shown);
            assertThat(ann.frames().stream().filter(f -> f.contains("too fast"))).hasSize(6 - accepted);
        }
    }
}
