package chatroom.browser;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import org.junit.jupiter.api.Test;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

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
    void on_a_touch_screen_a_message_s_controls_show_when_it_is_tapped_and_hide_when_another_is() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser phone = Browser.phone()) {
            phone.openRoom(server.url("/r/thumbs"));
            assertThat(phone.<Boolean>js("return matchMedia('(hover: none) and (pointer: coarse)').matches")).as("a touch screen").isTrue();
            RoomPageBrowserTest.say(phone, "first thought");
            RoomPageBrowserTest.say(phone, "second thought");
            phone.await(d -> RoomPageBrowserTest.texts(phone).size() == 2);
            WebElement first = message(phone, "first thought");
            WebElement second = message(phone, "second thought");
            assertThat(controlsWidth(phone, first)).as("no row of buttons under every message").isLessThanOrEqualTo(1L);

            first.findElement(By.cssSelector("p")).click();
            phone.await(d -> controlsWidth(phone, first) > 100);
            for (String name : List.of("Reply", "React", "Edit", "Delete")) {
                assertThat(RepliesAndReactionsBrowserTest.named(phone, first, "button", name)).as(name).isNotNull();
            }
            assertThat(phone.<Long>js(PAGE_WIDTH)).isLessThanOrEqualTo(375L);

            second.findElement(By.cssSelector("p")).click();
            phone.await(d -> controlsWidth(phone, second) > 100 && controlsWidth(phone, first) <= 1);

            RepliesAndReactionsBrowserTest.named(phone, second, "button", "Edit").click();
            WebElement field = phone.driver.switchTo().activeElement();
            assertThat(field.getAttribute("value")).isEqualTo("second thought");
            field.sendKeys(" (edited on the phone)", Keys.ENTER);
            phone.await(d -> RoomPageBrowserTest.texts(phone).contains("second thought (edited on the phone)"));
        }
    }

    private static long controlsWidth(Browser b, WebElement message) {
        return b.<Number>js("return Math.round(arguments[0].querySelector('.actions').getBoundingClientRect().width)", message).longValue();
    }

    private static WebElement message(Browser b, String text) {
        return b.await(d -> d.findElements(By.cssSelector("#messages article")).stream()
                .filter(m -> m.getText().contains(text)).findFirst().orElse(null));
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
