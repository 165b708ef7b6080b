package chatroom.browser;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/** The room page in a real browser: two visitors, one room. */
class RoomPageBrowserTest {

    @Test
    void two_visitors_see_each_others_messages_in_the_same_order() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser bob = new Browser()) {
            for (Browser b : List.of(ann, bob)) {
                b.driver.get(server.url("/r/browsers"));
                b.await(d -> d.findElement(By.id("status")).getText().equals("connected"));
            }
            WebElement box = ann.driver.findElement(By.id("message"));
            box.sendKeys("hello from ann", Keys.ENTER);
            bob.driver.findElement(By.id("message")).sendKeys("hi ann", Keys.ENTER);
            ann.driver.findElement(By.id("message")).sendKeys("third", Keys.ENTER);

            for (Browser b : List.of(ann, bob)) {
                b.await(d -> d.findElements(By.cssSelector("#messages .msg")).size() == 3);
            }
            assertThat(texts(ann)).isEqualTo(texts(bob)).hasSize(3);
            assertThat(ann.driver.findElement(By.id("message")).getAttribute("value")).isEmpty();
            assertThat(ann.driver.switchTo().activeElement().getAttribute("id")).isEqualTo("message");
        }
    }

    private static List<String> texts(Browser b) {
        return b.driver.findElements(By.cssSelector("#messages .msg .text")).stream().map(WebElement::getText).toList();
    }
}
