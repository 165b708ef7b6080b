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

/**
 * The page across a server restart: it says it is reconnecting, keeps the draft, and once back shows what
 * was sent while it was away, once, without reloading.
 */
class ReconnectBrowserTest {

    /**
     * htmx retries with full jitter, its bound doubling up to 64 s: after an outage of some seconds (longer
     * on a loaded machine, where the servers start slowly) the next try may come up to a minute later.
     */
    private static final Duration RECONNECT = Duration.ofSeconds(90);

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
            // marks that only this page load carries: the window, a shown message's element, and the
            // address of every socket the page opens from now on
            ann.js("window.loadedOnce = 'this load';"
                    + " document.getElementById('m-1').keptNode = true;"
                    + " window.socketUrls = [];"
                    + " var create = htmx.createWebSocket;"
                    + " htmx.createWebSocket = function (url) { var s = create(url); window.socketUrls.push(s.url); return s };");

            first.stop();
            ann.await(d -> d.findElement(By.id("status")).getText().startsWith("Reconnecting"));
            WebElement box = ann.driver.findElement(By.id("message"));
            box.sendKeys("a draft written while offline");
            assertThat(ann.driver.findElement(By.id("send")).isEnabled()).as("send while disconnected").isFalse();

            // while the page cannot reach its server, others talk: the room is served on another port over
            // the same files, and the page's port stays closed until they are stored
            try (TestServer meanwhile = TestServer.startIn(dir, "--rate", "0");
                    WsClient bob = WsClient.connect(meanwhile.ws("/r/restart/ws"))) {
                bob.awaitHistory();
                for (int i = 1; i <= 3; i++) {
                    bob.say("while away " + i);
                }
                bob.awaitMessages(5);
            }

            try (TestServer second = TestServer.startIn(dir, "--port", String.valueOf(port), "--rate", "0")) {
                new WebDriverWait(ann.driver, RECONNECT).until(
                        d -> "connected".equals(d.findElement(By.id("status")).getAttribute("data-state")));
                assertThat(ann.driver.findElement(By.id("message")).getAttribute("value"))
                        .isEqualTo("a draft written while offline");
                assertThat(ann.driver.findElement(By.id("send")).isEnabled()).isTrue();

                // then the page shows each message sent while it was away, once, in order, after its own
                List<String> expected = new ArrayList<>(List.of("before 1", "before 2", "while away 1", "while away 2", "while away 3"));
                ann.await(d -> RoomPageBrowserTest.texts(ann).size() >= expected.size());
                assertThat(RoomPageBrowserTest.texts(ann)).isEqualTo(expected);
                assertThat(RoomPageBrowserTest.seqs(ann)).containsExactly(1L, 2L, 3L, 4L, 5L);
                // caught up by its socket asking for what came after the newest message it showed: the same
                // page load (no reload), its list added to rather than replaced
                assertThat((String) ann.js("return window.loadedOnce")).isEqualTo("this load");
                assertThat((Boolean) ann.js("return document.getElementById('m-1').keptNode === true")).isTrue();
                List<String> urls = ann.js("return window.socketUrls");
                assertThat(urls).isNotEmpty().allMatch(url -> url.endsWith("/r/restart/ws?after=2"), "asks for what came after 2");

                // and the room goes on live from there (the marker: nothing else came meanwhile)
                try (WsClient bob = WsClient.connect(second.ws("/r/restart/ws"))) {
                    bob.awaitHistory();
                    bob.say("after 1");
                    expected.add("after 1");
                    ann.await(d -> RoomPageBrowserTest.texts(ann).size() >= expected.size());
                    assertThat(RoomPageBrowserTest.texts(ann)).isEqualTo(expected);
                    assertThat(RoomPageBrowserTest.seqs(ann)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
                }
            }
        } finally {
            first.stop();
        }
    }
}
