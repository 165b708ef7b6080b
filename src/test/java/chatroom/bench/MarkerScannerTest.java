package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkerScannerTest {

    private final MarkerScanner scanner = new MarkerScanner("run12345");
    private final List<String> found = new ArrayList<>();

    @Test
    void finds_every_marker_of_this_run_in_a_batched_fragment_and_skips_other_runs() {
        String frame = "<div id=\"messages\"><article id=\"m-1\"><p class=\"text\">" + scanner.text(3, 0, 100) + "</p></article>"
                + "<article><p>bx:otherrun:1:2:3</p></article><p>" + scanner.text(4, 17, 12345678901L) + "</p>"
                + "<p>bx:run12345:5:x:1</p><p>" + scanner.text(3, 1, 200) + "</p></div>";

        int count = scan(frame, true);

        assertThat(count).isEqualTo(3);
        assertThat(found).containsExactly("3/0/100", "4/17/12345678901", "3/1/200");
    }

    @Test
    void scans_direct_buffers_the_same_as_heap_buffers() {
        String frame = "<li>" + scanner.text(0, 9, 99) + "</li><li>" + scanner.text(1, 8, 88) + "</li>";

        assertThat(scan(frame, false)).isEqualTo(2);
        assertThat(found).containsExactly("0/9/99", "1/8/88");
    }

    @Test
    void the_client_frame_carries_the_marker_as_the_message() {
        assertThat(scanner.frame(2, 5, 7)).isEqualTo("{\"message\":\"bx:run12345:2:5:7\"}");
        assertThat(MarkerScanner.newRunId()).matches("[a-z0-9]{8}");
    }

    private int scan(String text, boolean heap) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuf buffer = heap ? Unpooled.wrappedBuffer(bytes) : Unpooled.directBuffer().writeBytes(bytes);
        try {
            return scanner.scan(buffer, (sender, n, sentNanos) -> found.add(sender + "/" + n + "/" + sentNanos));
        } finally {
            buffer.release();
        }
    }
}
