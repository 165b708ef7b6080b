package chatroom.browser;

import static chatroom.browser.RoomPageBrowserTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/** "ann is typing…" under the messages, for the others only, gone when her message arrives. */
class TypingBrowserTest {

    @Test
    void the_others_see_who_is_typing_until_the_message_arrives_and_the_typist_sees_nothing_of_it() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser bob = new Browser()) {
            ann.openRoom(server.url("/r/typists"));
            bob.openRoom(server.url("/r/typists"));
            String annName = ann.js("return document.querySelector('#presence li[data-author=\"' + document.body.dataset.me + '\"] bdi').textContent");

            WebElement composer = ann.driver.findElement(By.id("message"));
            composer.sendKeys("hello the");

            WebElement line = bob.driver.findElement(By.id("typing"));
            bob.await(d -> line.getText().equals(annName + " is typing…"));
            assertThat(ann.driver.findElement(By.id("typing")).getText()).as("never for oneself").isEmpty();

            composer.sendKeys("re", Keys.ENTER);
            bob.await(d -> texts(bob).contains("hello there"));
            bob.await(d -> line.getText().isEmpty());
        }
    }
}
