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

/** Editing and deleting one's own messages, as people do it on the page: by the buttons' names, the keyboard, the dialog. */
class MessageChangesBrowserTest {

    @Test
    void an_author_edits_with_enter_cancels_with_escape_and_deletes_after_confirming_and_the_other_visitor_sees_each() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser bob = new Browser()) {
            ann.openRoom(server.url("/r/changes"));
            bob.openRoom(server.url("/r/changes"));
            say(ann, "helo wrold");
            say(bob, "bob was here");
            for (Browser b : List.of(ann, bob)) {
                b.await(d -> texts(b).size() == 2);
            }

            // Edit: the text goes into a field that has the focus; Enter saves
            button(ann, message(ann, "helo wrold"), "Edit").click();
            WebElement field = ann.driver.switchTo().activeElement();
            assertThat(field.getTagName()).isEqualTo("textarea");
            assertThat(field.getAttribute("value")).isEqualTo("helo wrold");
            field.sendKeys(Keys.chord(Keys.CONTROL, "a"), "hello world", Keys.ENTER);
            for (Browser b : List.of(ann, bob)) {
                b.await(d -> texts(b).equals(List.of("hello world", "bob was here")));
                assertThat(message(b, "hello world").getText()).contains("edited");
            }
            assertThat(button(bob, message(bob, "hello world"), "Edit")).as("not bob's to edit").isNull();
            assertThat(button(ann, message(ann, "bob was here"), "Edit")).as("not ann's to edit").isNull();

            // Escape: nothing changes
            button(ann, message(ann, "hello world"), "Edit").click();
            ann.driver.switchTo().activeElement().sendKeys(" and more", Keys.ESCAPE);
            ann.await(d -> d.findElements(By.tagName("textarea")).size() == 1); // only the composer's
            assertThat(texts(ann)).containsExactly("hello world", "bob was here");

            // Delete: confirmed in the page, by a button named Delete
            button(ann, message(ann, "hello world"), "Delete").click();
            WebElement dialog = ann.await(d -> d.findElements(By.cssSelector("dialog[open]")).stream().findFirst().orElse(null));
            assertThat(dialog.getAccessibleName()).contains("Delete this message?");
            button(ann, dialog, "Delete").click();
            for (Browser b : List.of(ann, bob)) {
                b.await(d -> texts(b).equals(List.of("message deleted", "bob was here")));
            }
            assertThat(button(ann, message(ann, "message deleted"), "Edit")).as("a deleted message cannot be edited").isNull();
            assertThat(ann.driver.getPageSource()).doesNotContain("hello world");
        }
    }

    /** The message showing {@code text}, as a reader finds it. */
    private static WebElement message(Browser b, String text) {
        return b.await(d -> d.findElements(By.cssSelector("#messages article")).stream()
                .filter(m -> m.getText().contains(text)).findFirst().orElse(null));
    }

    /** The button named {@code name} inside {@code within}, once the pointer rests on it as a reader's would; null if none shows. */
    private static WebElement button(Browser b, WebElement within, String name) {
        new Actions(b.driver).moveToElement(within).perform();
        for (WebElement element : within.findElements(By.xpath(".//*"))) {
            if ("button".equals(element.getAriaRole()) && name.equals(element.getAccessibleName()) && element.isDisplayed()) {
                return element;
            }
        }
        return null;
    }
}
