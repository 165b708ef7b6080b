package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the server reads WebSocket frames off the wire (RFC 6455): messages in fragments, frames split
 * over reads or packed into one, control frames between fragments, and each protocol error closed with
 * the code the RFC names. Frames are built byte by byte, as no client library would send most of them.
 */
class WebSocketFramesTest {

    private static final int FIN_TEXT = 0x81;
    private static final int TEXT_FIRST_FRAGMENT = 0x01;
    private static final int CONTINUATION = 0x00;
    private static final int FIN_CONTINUATION = 0x80;
    private static final int FIN_PING = 0x89;
    private static final int OP_PONG = 0xA;

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void a_message_in_fragments_with_a_ping_between_arrives_once_and_whole() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server, "/r/fragments/ws", 0)) {
            // when: one message in three fragments, a ping between the first two
            ws.sendFrame(TEXT_FIRST_FRAGMENT, bytes("{\"message\": \"frag"), true);
            ws.sendFrame(FIN_PING, bytes("are you there"), true);
            ws.sendFrame(CONTINUATION, bytes("mented hel"), true);
            ws.sendFrame(FIN_CONTINUATION, bytes("lo\"}"), true);
            ws.sendFrame(FIN_TEXT, bytes("{\"message\": \"and the next\"}"), true);

            // then: the ping is answered with its own payload, and the message is shown once, whole
            StringBuilder texts = new StringBuilder();
            boolean ponged = false;
            while (!texts.toString().contains("and the next")) {
                RawWebSocket.Frame frame = ws.nextFrame();
                if (frame.opcode() == OP_PONG) {
                    assertThat(frame.text()).isEqualTo("are you there");
                    ponged = true;
                } else {
                    texts.append(frame.text());
                }
            }
            assertThat(ponged).isTrue();
            assertThat(texts.toString().split("fragmented hello", -1)).hasSize(2);
        }
    }

    @Test
    void frames_split_over_writes_and_packed_into_one_write_are_all_read() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server, "/r/packed/ws", 0)) {
            byte[] split = RawWebSocket.frame(FIN_TEXT, bytes("{\"message\": \"split in three\"}"), true);
            ByteArrayOutputStream packed = new ByteArrayOutputStream();
            packed.writeBytes(RawWebSocket.frame(FIN_TEXT, bytes("{\"message\": \"packed one\"}"), true));
            packed.writeBytes(RawWebSocket.frame(FIN_TEXT, bytes("{\"message\": \"packed two\"}"), true));

            // when: a frame's header arrives in parts, then the rest of it with two whole frames behind it
            ws.sendRaw(Arrays.copyOfRange(split, 0, 1));
            ws.sendRaw(Arrays.copyOfRange(split, 1, 9));
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            rest.writeBytes(Arrays.copyOfRange(split, 9, split.length));
            rest.writeBytes(packed.toByteArray());
            ws.sendRaw(rest.toByteArray());

            // then
            String shown = ws.awaitTexts("split in three", "packed one", "packed two");
            assertThat(shown.indexOf("split in three")).isLessThan(shown.indexOf("packed one"));
            assertThat(shown.indexOf("packed one")).isLessThan(shown.indexOf("packed two"));
        }
    }

    @Test
    void a_continuation_outside_a_fragmented_message_closes_with_1002() throws Exception {
        assertThat(closeCodeAfter(FIN_CONTINUATION, bytes("orphan"), true)).isEqualTo(1002);
    }

    @Test
    void an_unmasked_frame_closes_with_1002() throws Exception {
        assertThat(closeCodeAfter(FIN_TEXT, bytes("{\"message\": \"bare\"}"), false)).isEqualTo(1002);
    }

    @Test
    void reserved_bits_or_an_unknown_opcode_close_with_1002() throws Exception {
        assertThat(closeCodeAfter(FIN_TEXT | 0x40, bytes("{\"message\": \"deflated?\"}"), true)).isEqualTo(1002);
        assertThat(closeCodeAfter(0x83, bytes("opcode 3"), true)).isEqualTo(1002);
    }

    @Test
    void a_ping_of_more_than_125_bytes_closes_with_1002() throws Exception {
        assertThat(closeCodeAfter(FIN_PING, new byte[126], true)).isEqualTo(1002);
    }

    @Test
    void fragments_adding_up_past_the_hard_cap_close_with_1009_before_the_rest_is_read() throws Exception {
        int hardCap = RoomSockets.hardFrameCap(server.config.limits().maxFrameBytes());
        try (RawWebSocket ws = RawWebSocket.open(server, "/r/too-big/ws", 0)) {
            ws.sendFrame(TEXT_FIRST_FRAGMENT, new byte[hardCap / 2], true);
            ws.sendFrame(CONTINUATION, new byte[hardCap / 2], true);
            // the header of this one alone takes the message past the cap: its payload never needs to come
            ws.sendRaw(Arrays.copyOfRange(RawWebSocket.frame(FIN_CONTINUATION, new byte[16], true), 0, 6));

            assertThat(ws.awaitCloseCode()).isEqualTo(1009);
        }
    }

    @Test
    void a_close_from_the_client_is_answered_with_its_own_code() throws Exception {
        assertThat(closeCodeAfter(0x88, new byte[] {0x03, (byte) 0xE8}, true)).isEqualTo(1000);
    }

    private static int closeCodeAfter(int first, byte[] payload, boolean masked) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server, "/r/strict/ws", 0)) {
            ws.sendFrame(first, payload, masked);
            return ws.awaitCloseCode();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
