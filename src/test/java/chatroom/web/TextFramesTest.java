package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both ways of encoding a frame give the bytes Netty's own encoder gives, at every length form. */
class TextFramesTest {

    @Test
    void a_shared_frame_and_a_pooled_one_are_the_frame_netty_would_write_for_short_medium_and_long_texts() {
        for (int length : new int[] {0, 125, 126, 65_535, 65_536, 70_000}) {
            byte[] payload = "é".repeat(length / 2).concat(length % 2 == 1 ? "x" : "").getBytes(StandardCharsets.UTF_8);
            byte[] expected = nettys(payload);

            ByteBuf shared = TextFrames.encode(payload);
            ByteBuf pooled = TextFrames.encode(PooledByteBufAllocator.DEFAULT, payload);

            assertThat(ByteBufUtil.getBytes(shared)).as("shared, %d bytes", length).isEqualTo(expected);
            assertThat(ByteBufUtil.getBytes(pooled)).as("pooled, %d bytes", length).isEqualTo(expected);
            assertThat(pooled.release()).as("the pooled frame is freed by its one release").isTrue();
        }
    }

    @Test
    void shared_frames_encoded_one_after_another_each_keep_their_own_bytes_after_members_wrote_them() {
        // enough frames to fill several of the memory slabs shared frames are cut from
        List<byte[]> payloads = new ArrayList<>();
        List<ByteBuf> frames = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            byte[] payload = ("<div id=\"m" + i + "\">" + "x".repeat(i % 300) + "</div>").getBytes(StandardCharsets.UTF_8);
            payloads.add(payload);
            frames.add(TextFrames.encode(payload));
        }

        for (ByteBuf frame : frames) {
            ByteBuf written = frame.retainedDuplicate();
            written.skipBytes(written.readableBytes()); // as a socket's write consumes it
            written.release(); // as the channel does once written
        }

        for (int i = 0; i < payloads.size(); i++) {
            assertThat(ByteBufUtil.getBytes(frames.get(i))).as("frame %d", i).isEqualTo(nettys(payloads.get(i)));
        }
    }

    private static byte[] nettys(byte[] payload) {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        channel.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
        ByteBuf out = Unpooled.buffer();
        for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
            out.writeBytes(part);
            part.release();
        }
        channel.finishAndReleaseAll();
        return ByteBufUtil.getBytes(out);
    }
}
