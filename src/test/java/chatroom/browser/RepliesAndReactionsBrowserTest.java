package chatroom.browser;

import static chatroom.browser.RoomPageBrowserTest.say;
import static chatroom.browser.RoomPageBrowserTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/** Replying to a message and reacting to one, as people do it on the page: by the controls' names and the keyboard. */
class RepliesAndReactionsBrowserTest {

    @Test
    void a_reply_quotes_its_original_until_that_is_deleted_and_reactions_count_who_reacted() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser bob = new Browser()) {
            ann.openRoom(server.url("/r/replies"));
            bob.openRoom(server.url("/r/replies"));
            ann.driver.findElement(By.id("message")).sendKeys("shall we meet?", Keys.chord(Keys.SHIFT, Keys.ENTER), "at noon", Keys.ENTER);
            bob.await(d -> texts(bob).size() == 1);

            // Reply: a line of the original above the composer, which has the focus; Enter sends the reply
            named(bob, message(bob, "shall we meet?"), "button", "Reply").click();
            assertThat(bob.driver.switchTo().activeElement().getAttribute("id")).isEqualTo("message");
            assertThat(bob.driver.findElement(By.id("replying")).getText()).contains("shall we meet?");
            bob.driver.switchTo().activeElement().sendKeys("yes", Keys.ENTER);
            for (Browser b : List.of(ann, bob)) {
                b.await(d -> texts(b).size() == 2);
                WebElement quote = named(b, message(b, "yes"), "link", null);
                assertThat(quote.getAccessibleName()).startsWith("In reply to").contains("shall we meet?").doesNotContain("at noon");
            }
            assertThat(bob.driver.findElement(By.id("replying")).isDisplayed()).as("the reply is sent: nothing is quoted now").isFalse();

            // React: the palette's emoji by name; a second click on one's own reaction takes it back
            named(bob, message(bob, "shall we meet?"), "button", "React").click();
            WebElement thumbs = bob.await(d -> d.findElements(By.cssSelector("#palette button")).stream()
                    .filter(e -> "👍".equals(e.getAccessibleName()) && e.isDisplayed()).findFirst().orElse(null));
            thumbs.click();
            for (Browser b : List.of(ann, bob)) {
                b.await(d -> named(b, message(b, "shall we meet?"), "button", "👍 1") != null);
            }
            assertThat(named(bob, message(bob, "shall we meet?"), "button", "👍 1").getAttribute("aria-pressed")).isEqualTo("true");
            WebElement annSees = named(ann, message(ann, "shall we meet?"), "button", "👍 1");
            assertThat(annSees.getAttribute("aria-pressed")).as("not ann's reaction").isEqualTo("false");
            assertThat(annSees.getAttribute("title")).isNotBlank();
            annSees.click();
            bob.await(d -> named(bob, message(bob, "shall we meet?"), "button", "👍 2") != null);
            named(ann, message(ann, "shall we meet?"), "button", "👍 2").click();
            bob.await(d -> named(bob, message(bob, "shall we meet?"), "button", "👍 1") != null);

            // the original deleted: the reply says so
            named(ann, message(ann, "shall we meet?"), "button", "Delete").click();
            WebElement dialog = ann.await(d -> d.findElements(By.cssSelector("dialog[open]")).stream().findFirst().orElse(null));
            named(ann, dialog, "button", "Delete").click();
            bob.await(d -> named(bob, message(bob, "yes"), "link", null).getAccessibleName().contains("message deleted"));
            assertThat(bob.driver.getPageSource()).doesNotContain("shall we meet?");
        }
    }

    @Test
    void a_quote_of_a_message_not_on_the_page_loads_older_history_down_to_it() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0", "--history", "5");
                Browser ann = new Browser();
                Browser late = new Browser()) {
            ann.openRoom(server.url("/r/far-back"));
            say(ann, "the first word");
            for (int i = 1; i <= 60; i++) {
                say(ann, "filler " + i);
            }
            ann.await(d -> texts(ann).size() == 61);
            named(ann, message(ann, "the first word"), "button", "Reply").click();
            ann.driver.switchTo().activeElement().sendKeys("answered at last", Keys.ENTER);
            ann.await(d -> texts(ann).contains("answered at last"));

            // a page opened now shows the newest few: the reply, not its original
            late.openRoom(server.url("/r/far-back"));
            late.await(d -> texts(late).contains("answered at last"));
            assertThat(texts(late)).doesNotContain("the first word");
            WebElement quote = named(late, message(late, "answered at last"), "link", null);
            assertThat(quote.getAccessibleName()).contains("the first word");
            quote.click();
            late.await(d -> texts(late).contains("the first word"));
            WebElement original = message(late, "the first word");
            late.await(d -> original.equals(d.switchTo().activeElement()));
            assertThat(late.<Boolean>js("var r = arguments[0].getBoundingClientRect(); var l = document.getElementById('messages').getBoundingClientRect();"
                    + " return r.bottom > l.top && r.top < l.bottom", original)).as("scrolled into view").isTrue();
        }
    }

    @Test
    void reacting_taking_it_back_and_replying_work_from_the_keyboard_alone() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser bob = new Browser()) {
            ann.openRoom(server.url("/r/keys"));
            bob.openRoom(server.url("/r/keys"));
            say(ann, "by keyboard");
            bob.await(d -> texts(bob).size() == 1);

            // from the message list, Tab reaches the message's React button
            bob.driver.findElement(By.id("messages")).click();
            WebElement react = null;
            for (int i = 0; i < 20 && react == null; i++) {
                WebElement at = bob.driver.switchTo().activeElement();
                if ("React".equals(at.getAccessibleName())) react = at;
                else at.sendKeys(Keys.TAB);
            }
            assertThat(react).as("Tab reaches React").isNotNull();
            react.sendKeys(Keys.ENTER);
            bob.await(d -> "👍".equals(d.switchTo().activeElement().getAccessibleName()));
            bob.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
            ann.await(d -> named(ann, message(ann, "by keyboard"), "button", "👍 1") != null);
            bob.await(d -> "React".equals(d.switchTo().activeElement().getAccessibleName()));

            // back to the count, which takes one's reaction back
            bob.driver.switchTo().activeElement().sendKeys(Keys.chord(Keys.SHIFT, Keys.TAB));
            bob.driver.switchTo().activeElement().sendKeys(Keys.chord(Keys.SHIFT, Keys.TAB));
            assertThat(bob.driver.switchTo().activeElement().getAccessibleName()).isEqualTo("👍 1");
            bob.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
            ann.await(d -> named(ann, message(ann, "by keyboard"), "button", "👍 1") == null);

            // Reply: from the focus the page kept, to Reply, Enter, then the composer
            bob.await(d -> "React".equals(d.switchTo().activeElement().getAccessibleName()));
            bob.driver.switchTo().activeElement().sendKeys(Keys.chord(Keys.SHIFT, Keys.TAB));
            assertThat(bob.driver.switchTo().activeElement().getAccessibleName()).isEqualTo("Reply");
            bob.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
            bob.await(d -> "message".equals(d.switchTo().activeElement().getAttribute("id")));
            bob.driver.switchTo().activeElement().sendKeys("typed, not clicked", Keys.ENTER);
            WebElement reply = message(ann, "typed, not clicked");
            assertThat(named(ann, reply, "link", null).getAccessibleName()).contains("by keyboard");
        }
    }

    /** The first element of {@code role} named {@code name} (any name if null) inside {@code within}, as a reader finds it. */
    static WebElement named(Browser b, WebElement within, String role, String name) {
        new Actions(b.driver).moveToElement(within).perform();
        for (WebElement element : within.findElements(By.xpath(".//*"))) {
            if (role.equals(element.getAriaRole()) && (name == null || name.equals(element.getAccessibleName())) && element.isDisplayed()) {
                return element;
            }
        }
        return null;
    }

    private static WebElement message(Browser b, String text) {
        return b.await(d -> d.findElements(By.cssSelector("#messages article")).stream()
                .filter(m -> m.getText().contains(text)).findFirst().orElse(null));
    }
}
