package chatroom.browser;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** The pages on a 375 px wide phone: nothing wider than the screen, the composer in view. */
class PhoneBrowserTest {

    private static final String PAGE_WIDTH = "return document.documentElement.scrollWidth";

    @Test
    void a_busy_room_fits_a_375_pixel_phone_with_the_composer_in_view() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient bob = WsClient.connect(server.ws("/r/pocket-sized-room-with-a-rather-long-name/ws"));
                Browser phone = Browser.phone()) {
            bob.say("Supercalifragilisticexpialidociouslylongwordwithoutanyspacesatalltoseehowitwraps");
            bob.say("https://ci.example.com/jobs/8842/artifacts/logs/integration-tests/2024-05-14T09-12-44Z/full-output.txt");
            for (int i = 0; i < 40; i++) {
                bob.say("line " + i);
            }
            bob.awaitMessages(42);
            phone.openRoom(server.url("/r/pocket-sized-room-with-a-rather-long-name"));

            assertThat(phone.<Long>js("return window.innerWidth")).isEqualTo(375L);
            assertThat(phone.<Long>js(PAGE_WIDTH)).isLessThanOrEqualTo(375L);
            assertThat(phone.<Boolean>js("var r = document.getElementById('message').getBoundingClientRect();"
                            + "return r.top >= 0 && r.bottom <= window.innerHeight"))
                    .as("the message box is on screen").isTrue();
            assertThat(phone.driver.findElement(By.id("send")).isDisplayed()).isTrue();
            assertThat(phone.<Boolean>js(RoomPageBrowserTest.AT_BOTTOM)).isTrue();

            RoomPageBrowserTest.say(phone, "typed on a phone");
            phone.await(d -> RoomPageBrowserTest.texts(phone).contains("typed on a phone"));
            assertThat(phone.<Long>js(PAGE_WIDTH)).isLessThanOrEqualTo(375L);
        }
    }

    @Test
    void the_lobby_fits_a_375_pixel_phone() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient bob = WsClient.connect(server.ws("/r/a-room-whose-name-is-as-long-as-it-may-be-sixty-four-chars-ok/ws"));
                Browser phone = Browser.phone()) {
            phone.driver.get(server.url("/"));
            phone.await(d -> !d.findElements(By.cssSelector("#rooms li")).isEmpty());
            assertThat(phone.<Long>js(PAGE_WIDTH)).isLessThanOrEqualTo(375L);
        }
    }
}
