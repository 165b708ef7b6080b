package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.WsClient;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rooms sleeping and waking, slow members, and shutdown, against the real server. */
class RoomLifecycleTest {

    @Test
    void an_idle_room_leaves_memory_and_wakes_on_the_next_message_with_its_members_still_connected() throws Exception {
        try (TestServer server = TestServer.start("--room-idle", "200ms", "--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/sleepy/ws"));
                WsClient bob = WsClient.connect(server.ws("/r/sleepy/ws"))) {
            bob.awaitFrame(f -> f.contains("id=\"presence\"") && f.contains("people-count\" class=\"count\" hx-swap-oob=\"true\">2"));
            ann.say("before the nap");
            bob.awaitMessages(1);

            Map<String, Integer> asleep = Await.until(() -> {
                Map<String, Integer> s = status(server);
                return s.get("awakeRooms") == 0 ? s : null;
            }, "the room to sleep");
            assertThat(asleep).containsEntry("asleepRooms", 1).containsEntry("connections", 2);

            ann.say("after the nap");
            assertThat(bob.awaitMessages(2)).containsExactly("before the nap", "after the nap");
            assertThat(status(server)).containsEntry("awakeRooms", 1);
            assertThat(bob.seqs()).containsExactly(1L, 2L);
        }
    }

    @Test
    void ping_is_answered_while_the_room_sleeps_without_waking_it() throws Exception {
        try (TestServer server = TestServer.start("--room-idle", "100ms");
                WsClient ann = WsClient.connect(server.ws("/r/quiet/ws"))) {
            Await.until(() -> status(server).get("awakeRooms") == 0 && status(server).get("asleepRooms") == 1,
                    "the room to sleep; status " + status(server));
            ann.send("ping");
            ann.awaitFrame("pong"::equals);
            assertThat(status(server)).containsEntry("awakeRooms", 0);
        }
    }

    @Test
    void a_member_that_never_reads_is_dropped_with_1013_while_the_others_keep_receiving() throws Exception {
        try (LogLines log = LogLines.of(WebSocketMember.class);
                TestServer server = TestServer.start("--rate", "0");
                WsClient ann = WsClient.connect(server.ws("/r/crowd/ws"));
                RawWebSocket slow = RawWebSocket.open(server, "/r/crowd/ws", 4096)) {
            Await.until(() -> status(server).get("connections") == 2, "both members to join");
            String text = "z".repeat(1500);
            int batch = 50;
            int sent = 0;
            // ~9 MB at most, far beyond the slow member's socket buffers and send queue; ann reads each
            // batch before sending the next, so only the slow member falls behind
            while (log.containing("too slow").isEmpty() && sent < 6000) {
                for (int i = 0; i < batch; i++) {
                    ann.say(text + sent++);
                }
                ann.awaitMessages(sent);
            }
            assertThat(log.containing("too slow")).as("the slow member found too slow").hasSize(1);
            // the close frame waits behind what the member never read: reading now, within the second the
            // server gives it before cutting the connection, it gets the close code and the reason
            RawWebSocket.Close close = slow.awaitClose();
            assertThat(close.code()).isEqualTo(1013);
            assertThat(close.reason()).isEqualTo("too slow: reconnect to catch up");
            Await.until(() -> status(server).get("connections") == 1, "the slow member to be dropped");
            ann.say("after the drop");
            assertThat(ann.awaitMessages(sent + 1)).last().isEqualTo("after the drop");
        }
    }

    @Test
    void stopping_the_server_closes_sockets_with_1012_so_pages_reconnect() throws Exception {
        TestServer server = TestServer.start();
        WsClient ann = WsClient.connect(server.ws("/r/bye/ws"));
        ann.awaitFrame(f -> f.contains("id=\"presence\""));
        server.stop();
        assertThat(ann.awaitClose()).isEqualTo(1012);
    }

    @Test
    void a_socket_whose_peer_is_gone_is_pinged_then_closed_while_one_that_answers_pings_stays() throws Exception {
        try (TestServer server = TestServer.start("--socket-idle", "300ms");
                WsClient alive = WsClient.connect(server.ws("/r/ghosts/ws")); // the JDK client answers pings
                Socket gone = neverReadingSocket(server.port(), "/r/ghosts/ws")) {
            Await.until(() -> status(server).get("connections") == 2, "both to join");

            Await.until(() -> status(server).get("connections") == 1, "the silent socket to be closed");
            alive.send("ping");
            alive.awaitFrame("pong"::equals);
            // what the server sent it, up to the end of the stream (the close): the upgrade, the room's
            // frames, and at least one WebSocket ping (opcode 9) that was never answered
            List<Integer> opcodes = opcodesAfterTheUpgrade(gone.getInputStream().readAllBytes());
            assertThat(opcodes).as("the frames' opcodes before the close").contains(PING_OPCODE);
        }
    }

    private static final int PING_OPCODE = 0x9;

    /** The opcodes of the frames after a 101 response, as the server sent them (unmasked); fails on anything else. */
    private static List<Integer> opcodesAfterTheUpgrade(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("HTTP/1.1 101");
        int at = text.indexOf("\r\n\r\n") + 4;
        List<Integer> opcodes = new ArrayList<>();
        while (at < bytes.length) {
            assertThat(bytes.length - at).as("a frame header at byte " + at).isGreaterThanOrEqualTo(2);
            int opcode = bytes[at] & 0x0f;
            int second = bytes[at + 1] & 0xff;
            assertThat(second & 0x80).as("a server frame is unmasked").isZero();
            long length = second & 0x7f;
            at += 2;
            if (length == 126) {
                length = ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
                at += 2;
            } else if (length == 127) {
                length = java.nio.ByteBuffer.wrap(bytes, at, 8).getLong();
                at += 8;
            }
            assertThat(at + length).as("the frame at byte " + at + " whole").isLessThanOrEqualTo(bytes.length);
            opcodes.add(opcode);
            at += (int) length;
        }
        return opcodes;
    }

    /** A client that completes the handshake with a tiny receive buffer and then never reads a byte. */
    private static Socket neverReadingSocket(int port, String path) throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static Map<String, Integer> status(TestServer server) {
        try {
            return server.status();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
