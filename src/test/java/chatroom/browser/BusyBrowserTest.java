package chatroom.browser;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The page of a room that a server at its cap of rooms cannot open: it says the server is busy, then gets in. */
class BusyBrowserTest {

    /** The page backs off as htmx does, doubling up to 64 s; the room in the way goes a second after it empties. */
    private static final Duration GET_IN = Duration.ofSeconds(40);

    @Test
    void a_page_says_the_server_is_busy_while_it_hosts_its_most_rooms_and_gets_in_once_one_has_gone() throws Exception {
        try (TestServer server = TestServer.start("--max-rooms", "1");
                Browser ann = new Browser()) {
            WsClient bob = WsClient.connect(server.ws("/r/taken/ws"));
            bob.awaitFrame(f -> f.contains("id=\"presence\""));

            ann.driver.get(server.url("/r/waiting"));

            ann.await(d -> "busy".equals(d.findElement(By.id("status")).getAttribute("data-state")));
            assertThat(ann.driver.findElement(By.id("status-text")).getText()).isEqualTo("The server is busy; trying again…");
            assertThat(ann.driver.findElement(By.id("send")).isEnabled()).as("send while refused").isFalse();

            // when the room in the way empties, it goes, and the page's next try gets in
            bob.close();
            new WebDriverWait(ann.driver, GET_IN).until(
                    d -> "connected".equals(d.findElement(By.id("status")).getAttribute("data-state")));
            RoomPageBrowserTest.say(ann, "in at last");
            ann.await(d -> RoomPageBrowserTest.texts(ann).contains("in at last"));
        }
    }
}
