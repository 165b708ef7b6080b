package chatroom.browser;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The page across a server restart: it says it is reconnecting, keeps the draft, then catches up once. */
class ReconnectBrowserTest {

    /** htmx retries with full jitter, doubling up to 64 s; a short outage costs a few seconds at most. */
    private static final Duration RECONNECT = Duration.ofSeconds(40);

    @Test
    void the_page_says_reconnecting_while_the_server_is_down_and_catches_up_without_duplicates() throws Exception {
        Path dir = Files.createTempDirectory("chatroom-restart");
        TestServer first = TestServer.startIn(dir, "--rate", "0");
        int port = first.port();
        try (Browser ann = new Browser()) {
            ann.openRoom(first.url("/r/restart"));
            RoomPageBrowserTest.say(ann, "before 1");
            RoomPageBrowserTest.say(ann, "before 2");
            ann.await(d -> RoomPageBrowserTest.texts(ann).size() == 2);
            // the page's ids for its sends grow with time, so the store adds each at one place of its index
            List<String> cids = ann.js("return Array.from(document.querySelectorAll('#messages .msg'), e => e.dataset.cid)");
            assertThat(cids).hasSize(2).allMatch(cid -> cid.matches("[0-9a-f]{24}"), "24 hex digits");
            assertThat(cids.get(1)).isGreaterThan(cids.get(0));

            first.stop();
            ann.await(d -> d.findElement(By.id("status")).getText().startsWith("Reconnecting"));
            WebElement box = ann.driver.findElement(By.id("message"));
            box.sendKeys("a draft written while offline");
            assertThat(ann.driver.findElement(By.id("send")).isEnabled()).as("send while disconnected").isFalse();

            try (TestServer second = TestServer.startIn(dir, "--port", String.valueOf(port), "--rate", "0");
                    WsClient bob = WsClient.connect(second.ws("/r/restart/ws"))) {
                String history = bob.awaitFrame(f -> f.contains("id=\"messages\""));
                new WebDriverWait(ann.driver, RECONNECT).until(
                        d -> "connected".equals(d.findElement(By.id("status")).getAttribute("data-state")));
                assertThat(ann.driver.findElement(By.id("message")).getAttribute("value"))
                        .isEqualTo("a draft written while offline");
                assertThat(ann.driver.findElement(By.id("send")).isEnabled()).isTrue();

                // the restarted server kept the room's history, so numbering goes on where it stopped
                assertThat(history).contains("before 2");

                bob.say("after 1");
                bob.say("after 2");
                bob.say("after 3");
                List<String> expected = new ArrayList<>(List.of("before 1", "before 2", "after 1", "after 2", "after 3"));
                ann.await(d -> RoomPageBrowserTest.texts(ann).size() >= expected.size());
                assertThat(RoomPageBrowserTest.texts(ann)).isEqualTo(expected);
                assertThat(RoomPageBrowserTest.seqs(ann)).doesNotHaveDuplicates().isSorted();
            }
        } finally {
            first.stop();
        }
    }
}
