package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What one user, one address or one socket can make the server do, however many sockets it opens:
 * messages shared per user and per address, every other frame counted, renames limited. And what an
 * honest visitor never meets.
 */
class FloodLimitsTest {

    private static final String[] FROM_ONE_ADDRESS = {"X-Forwarded-For", "198.51.100.9"};

    @Test
    void one_cookie_on_twenty_sockets_cannot_send_more_than_the_users_share_in_total() throws Exception {
        try (TestServer server = TestServer.start("--user-rate", "2", "--user-burst", "10");
                Sockets sockets = new Sockets()) {
            String cookie = cookieOf(server.get("/"));
            WsClient reader = sockets.open(server.ws("/r/one-user/ws"));
            List<WsClient> tabs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                tabs.add(sockets.open(server.ws("/r/one-user/ws"), "Cookie", cookie));
            }
            // when each of the user's twenty sockets sends ten messages as fast as it can
            Sent sent = sendFromEach(tabs, 10, reader);
            // then together they got the user's share through, and no more: its burst and its rate since
            assertThat(sent.accepted()).isGreaterThanOrEqualTo(10).isLessThanOrEqualTo(sent.allowedBy(2, 10));
            assertThat(sent.refusals()).allSatisfy(f -> assertThat(f).contains("sending messages too fast"));
        }
    }

    @Test
    void a_message_refused_as_too_fast_is_named_by_its_client_id_with_the_time_until_the_sender_may_send_again()
            throws Exception {
        try (TestServer server = TestServer.start("--user-rate", "0.5", "--user-burst", "2");
                Sockets sockets = new Sockets()) {
            WsClient ann = sockets.open(server.ws("/r/too-fast/ws"));
            ann.awaitHistory();
            for (int i = 1; i <= 3; i++) {
                ann.send("{\"message\": \"m" + i + "\", \"cid\": \"cid-" + i + "\"}");
            }
            String refusal = ann.awaitFrame(f -> f.contains("composer-error"));
            assertThat(refusal).contains("data-not-sent=\"cid-3\"").contains("sending messages too fast");
            // one message every 2 s: the next may go within about 2 s, and is never said to be further off
            java.util.regex.Matcher after = java.util.regex.Pattern.compile("data-retry-after-ms=\"(\\d+)\"").matcher(refusal);
            assertThat(after.find()).as("a retry time in " + refusal).isTrue();
            assertThat(Long.parseLong(after.group(1))).isBetween(1L, 2_001L);
            assertThat(ann.awaitMessages(2)).containsExactly("m1", "m2");
        }
    }

    @Test
    void many_cookies_from_one_address_cannot_send_more_than_the_addresses_share() throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1", "--ip-rate", "2", "--ip-burst", "10");
                Sockets sockets = new Sockets()) {
            WsClient reader = sockets.open(server.ws("/r/one-address/ws"));
            List<WsClient> visitors = new ArrayList<>();
            for (int i = 0; i < 20; i++) { // twenty guests, each a user of its own, behind one address
                visitors.add(sockets.open(server.ws("/r/one-address/ws"), FROM_ONE_ADDRESS));
            }
            // when each sends five messages, within its own user's share
            Sent sent = sendFromEach(visitors, 5, reader);
            // then the address as a whole got its share through and no more
            assertThat(sent.accepted()).isGreaterThanOrEqualTo(10).isLessThanOrEqualTo(sent.allowedBy(2, 10));
            assertThat(sent.refusals()).allSatisfy(f -> assertThat(f).contains("from your network"));
        }
    }

    @Test
    void twenty_addresses_of_one_ipv6_64_cannot_send_more_than_one_addresss_share() throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1", "--ip-rate", "2", "--ip-burst", "10");
                Sockets sockets = new Sockets()) {
            WsClient reader = sockets.open(server.ws("/r/one-network/ws"));
            List<WsClient> visitors = new ArrayList<>();
            for (int i = 1; i <= 20; i++) { // one host picking a new address of its /64 for every socket
                visitors.add(sockets.open(server.ws("/r/one-network/ws"), "X-Forwarded-For", "2001:db8:7:1::" + Integer.toHexString(i)));
            }
            // when each sends five messages, within its own user's share
            Sent sent = sendFromEach(visitors, 5, reader);
            // then the /64 as a whole got one address's share through and no more
            assertThat(sent.accepted()).isGreaterThanOrEqualTo(10).isLessThanOrEqualTo(sent.allowedBy(2, 10));
            assertThat(sent.refusals()).allSatisfy(f -> assertThat(f).contains("from your network"));
        }
    }

    @Test
    void a_flood_of_text_pings_is_closed_with_1008_and_logged_once() throws Exception {
        closedFor(ws -> ws.send("ping"));
    }

    @Test
    void a_flood_of_websocket_pings_is_closed_with_1008_and_logged_once() throws Exception {
        closedFor(WsClient::sendPing);
    }

    @Test
    void a_flood_of_binary_frames_is_closed_with_1008_and_logged_once() throws Exception {
        closedFor(ws -> ws.sendBinary(new byte[] {1, 2, 3}));
    }

    /** With the default limits, a socket sending {@code frame} as fast as it can is closed with 1008, in one log line. */
    private static void closedFor(Consumer<WsClient> frame) throws Exception {
        try (LogLines log = LogLines.of(WebSocketMember.class);
                TestServer server = TestServer.start();
                WsClient flooder = WsClient.connect(server.ws("/r/pings/ws"));
                WsClient bystander = WsClient.connect(server.ws("/r/pings/ws"))) {
            // when
            for (int i = 0; i < 5_000 && !flooder.closed(); i++) {
                try {
                    frame.accept(flooder);
                } catch (RuntimeException closedMeanwhile) {
                    break;
                }
            }
            // then
            assertThat(flooder.awaitClose()).isEqualTo(1008);
            Await.until(() -> !log.containing("frame limit").isEmpty(), "the close to be logged");
            assertThat(log.containing("frame limit")).hasSize(1);
            // and the room carries on for everyone else
            bystander.say("still here");
            bystander.awaitFrame(f -> f.contains(">still here<"));
        }
    }

    @Test
    void a_rename_flood_is_refused_with_a_clear_message_the_name_stays_and_the_notices_stay_few() throws Exception {
        try (TestServer server = TestServer.start("--renames-per-minute", "3"); Sockets sockets = new Sockets()) {
            String cookie = cookieOf(server.get("/"));
            String origin = "http://127.0.0.1:" + server.port();
            sockets.open(server.ws("/r/renames/ws"), "Cookie", cookie);
            WsClient bob = sockets.open(server.ws("/r/renames/ws"));
            bob.awaitFrame(f -> f.contains("id=\"presence\"") && f.contains("guest-"));
            // when the user renames twenty times in a row
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                answers.add(server.postForm("/name", "name=ann" + i, "Cookie", cookie, "Origin", origin, "HX-Request", "true"));
            }
            // then three are taken and the rest refused, saying why and keeping the name
            assertThat(answers.subList(0, 3)).allSatisfy(a -> assertThat(a.statusCode()).isEqualTo(204));
            assertThat(answers.subList(3, 20)).allSatisfy(a -> {
                assertThat(a.statusCode()).isEqualTo(429);
                assertThat(a.body()).contains("changed your name too often").contains("your name stays as it was");
                assertThat(a.headers().firstValue("set-cookie")).isEmpty();
            });
            bob.awaitFrame(f -> f.contains("id=\"presence\"") && f.contains(">ann3<"));
            // and the room read at most one notice per rename taken
            Await.until(() -> bob.frames().stream().anyMatch(f -> f.contains("is now <bdi>ann3</bdi>")), "the last notice");
            assertThat(bob.frames().stream().filter(f -> f.contains(" is now ")).count()).isLessThanOrEqualTo(3);
            assertThat(bob.frames()).noneMatch(f -> f.contains(">ann4<"));
        }
    }

    @Test
    void an_honest_user_with_three_tabs_typing_and_pinging_is_never_refused() throws Exception {
        try (TestServer server = TestServer.start("--trusted-proxies", "127.0.0.1"); Sockets sockets = new Sockets()) {
            String cookie = cookieOf(server.get("/"));
            List<WsClient> tabs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tabs.add(sockets.open(server.ws("/r/honest/ws"), "Cookie", cookie, FROM_ONE_ADDRESS[0], FROM_ONE_ADDRESS[1]));
            }
            // when a person sends a burst of ten lines, then types on at three messages a second from
            // one tab or another, each tab pinging ten times as often as the page does
            int messages = 0;
            for (; messages < 10; messages++) {
                tabs.get(messages % 3).say("burst " + messages);
            }
            long start = System.nanoTime();
            for (int tick = 0; tick < 12; tick++) {
                long due = start + tick * 333_000_000L;
                Await.until(() -> System.nanoTime() >= due, "the next keystroke");
                tabs.get(tick % 3).say("typed " + tick);
                messages++;
                if (tick % 4 == 0) {
                    tabs.forEach(tab -> tab.send("ping"));
                }
            }
            // then every message arrives, no tab is told to slow down, and none is closed
            int sent = messages;
            Await.until(() -> tabs.getFirst().messageTexts().size() >= sent, "every message; got " + tabs.getFirst().messageTexts());
            assertThat(tabs).allSatisfy(tab -> {
                assertThat(tab.frames()).noneMatch(f -> f.contains("composer-error"));
                assertThat(tab.closed()).isFalse();
            });
        }
    }

    // ---- helpers

    /** What a flood got through: messages the room showed, the refusals, and how long it took. */
    private record Sent(int accepted, List<String> refusals, double seconds) {
        /** The most a share of {@code rate} a second and {@code burst} at once allows over the flood's time, and one for rounding. */
        int allowedBy(double rate, int burst) {
            return burst + (int) Math.ceil(rate * seconds) + 1;
        }
    }

    /** Sends {@code each} messages from every socket, then waits until each one is shown or refused. */
    private static Sent sendFromEach(List<WsClient> senders, int each, WsClient reader) {
        long start = System.nanoTime();
        for (int i = 0; i < each; i++) {
            for (int s = 0; s < senders.size(); s++) {
                senders.get(s).say("s" + s + "-" + i);
            }
        }
        int total = senders.size() * each;
        Await.until(() -> reader.messageTexts().size() + refusals(senders).size() >= total,
                "every message to be shown or refused");
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Sent(reader.messageTexts().size(), refusals(senders), seconds);
    }

    private static List<String> refusals(List<WsClient> senders) {
        return senders.stream().flatMap(s -> s.frames().stream()).filter(f -> f.contains("composer-error")).toList();
    }

    private static String cookieOf(HttpResponse<?> response) {
        String setCookie = response.headers().firstValue("set-cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** Sockets closed together at the end of a test. */
    private static final class Sockets implements AutoCloseable {
        private final List<WsClient> open = new ArrayList<>();

        WsClient open(java.net.URI uri, String... headers) {
            WsClient ws = WsClient.connect(uri, headers);
            open.add(ws);
            return ws;
        }

        @Override
        public void close() {
            open.forEach(WsClient::close);
        }
    }
}
