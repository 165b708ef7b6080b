package chatroom.browser;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/** The lobby in a real browser: the room list, entering a room by name, private rooms. */
class LobbyBrowserTest {

    @Test
    void the_lobby_lists_public_rooms_with_how_many_people_are_in_them() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient one = WsClient.connect(server.ws("/r/busy/ws"));
                WsClient two = WsClient.connect(server.ws("/r/busy/ws"));
                WsClient three = WsClient.connect(server.ws("/r/quiet/ws"));
                Browser ann = new Browser()) {
            ann.driver.get(server.url("/"));
            ann.await(d -> rooms(ann).size() == 2);
            assertThat(rooms(ann)).containsExactly("#busy 2 people here", "#quiet 1 person here");
        }
    }

    @Test
    void a_room_name_typed_in_the_lobby_opens_that_room() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser()) {
            ann.driver.get(server.url("/"));
            ann.driver.findElement(By.id("room-name")).sendKeys("Book-Club", Keys.ENTER);
            ann.await(d -> d.getCurrentUrl().endsWith("/r/book-club"));
            ann.await(d -> "connected".equals(d.findElement(By.id("status")).getAttribute("data-state")));
            assertThat(ann.driver.findElement(By.tagName("h1")).getText()).isEqualTo("#book-club");
        }
    }

    @Test
    void a_private_rooms_link_works_for_a_second_visitor_and_the_room_is_not_listed() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser bob = new Browser()) {
            ann.driver.get(server.url("/"));
            ann.driver.findElement(By.cssSelector("form.private button")).click();
            ann.await(d -> d.getCurrentUrl().matches(".*/r/~[a-z2-7]{26}"));
            ann.await(d -> "connected".equals(d.findElement(By.id("status")).getAttribute("data-state")));
            String link = ann.driver.findElement(By.id("invite-link")).getAttribute("value");
            assertThat(link).isEqualTo(ann.driver.getCurrentUrl());

            bob.openRoom(link);
            RoomPageBrowserTest.say(ann, "only for you");
            bob.await(d -> RoomPageBrowserTest.texts(bob).contains("only for you"));
            bob.await(d -> RoomPageBrowserTest.people(bob).size() == 2);

            bob.driver.get(server.url("/"));
            assertThat(bob.driver.findElements(By.cssSelector("a[href*='~']"))).isEmpty();
            assertThat(bob.driver.getPageSource()).doesNotContain(link.substring(link.indexOf("~")));
        }
    }

    private static List<String> rooms(Browser b) {
        return b.driver.findElements(By.cssSelector("#rooms li")).stream()
                .map(WebElement::getText)
                .map(t -> t.replaceAll("\\s+", " ").trim())
                .toList();
    }
}
