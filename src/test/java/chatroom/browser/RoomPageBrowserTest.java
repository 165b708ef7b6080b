package chatroom.browser;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import chatroom.WsClient;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

/** The room page in a real browser: messages, history, scrolling, the composer, presence. */
class RoomPageBrowserTest {

    @Test
    void two_visitors_see_each_others_messages_in_the_same_order() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser bob = new Browser()) {
            for (Browser b : List.of(ann, bob)) {
                b.openRoom(server.url("/r/browsers"));
            }
            say(ann, "hello from ann");
            say(bob, "hi ann");
            say(ann, "third");

            for (Browser b : List.of(ann, bob)) {
                b.await(d -> d.findElements(By.cssSelector("#messages .msg")).size() == 3);
            }
            assertThat(texts(ann)).isEqualTo(texts(bob)).containsExactly("hello from ann", "hi ann", "third");
            assertThat(ann.driver.findElement(By.id("message")).getAttribute("value")).isEmpty();
            assertThat(ann.driver.switchTo().activeElement().getAttribute("id")).isEqualTo("message");
        }
    }

    @Test
    void own_messages_are_marked_and_one_authors_run_of_messages_is_grouped() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser bob = new Browser()) {
            ann.openRoom(server.url("/r/groups"));
            bob.openRoom(server.url("/r/groups"));
            // the "joined" notices first: one landing between two messages rightly breaks their group
            ann.await(d -> d.findElements(By.cssSelector("#messages .notice bdi")).size() >= 2);
            bob.await(d -> d.findElements(By.cssSelector("#messages .notice bdi")).size() >= 1);
            say(ann, "one");
            say(ann, "two");
            say(bob, "three");
            bob.await(d -> d.findElements(By.cssSelector("#messages .msg")).size() == 3);
            ann.await(d -> d.findElements(By.cssSelector("#messages .msg")).size() == 3);

            assertThat(classes(ann)).containsExactly("msg mine", "msg mine cont", "msg");
            assertThat(classes(bob)).containsExactly("msg", "msg cont", "msg mine");
        }
    }

    @Test
    void hostile_markup_in_a_message_shows_as_text_and_runs_nothing() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser bob = new Browser()) {
            ann.openRoom(server.url("/r/hostile"));
            bob.openRoom(server.url("/r/hostile"));
            String img = "<img src=x onerror=alert(1)>";
            String script = "<script>alert(1)</script>";
            say(ann, img);
            say(ann, script);
            say(ann, "see https://example.com/a?b=1&c=<2> now");

            for (Browser b : List.of(ann, bob)) {
                b.await(d -> d.findElements(By.cssSelector("#messages .msg")).size() == 3);
                assertThat(texts(b)).containsExactly(img, script, "see https://example.com/a?b=1&c=<2> now");
                assertThat(b.driver.findElements(By.cssSelector("#messages img, #messages script"))).isEmpty();
                assertThat(alertShown(b)).as("an alert is open").isFalse();
                List<WebElement> links = b.driver.findElements(By.cssSelector("#messages .text a"));
                assertThat(links).hasSize(1);
                assertThat(links.get(0).getAttribute("href")).isEqualTo("https://example.com/a?b=1&c=");
                assertThat(links.get(0).getAttribute("rel")).isEqualTo("noopener noreferrer nofollow");
            }
        }
    }

    @Test
    void joining_shows_the_latest_fifty_and_scrolling_up_loads_the_older_ones() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient seed = WsClient.connect(server.ws("/r/long/ws"));
                Browser ann = new Browser()) {
            seed.awaitHistory(); // as a page does before writing (a burst before it would follow it, since the history ends at the join)
            for (int i = 1; i <= 60; i++) {
                seed.say("message " + i);
            }
            seed.awaitMessages(60);

            ann.openRoom(server.url("/r/long"));
            assertThat(texts(ann)).hasSize(50).startsWith("message 11").endsWith("message 60");
            assertThat(ann.<Boolean>js(AT_BOTTOM)).isTrue();

            ann.js("document.getElementById('messages').scrollTop = 0");
            ann.await(d -> d.findElements(By.cssSelector("#messages .msg")).size() == 60);

            List<String> expected = java.util.stream.IntStream.rangeClosed(1, 60).mapToObj(i -> "message " + i).toList();
            assertThat(texts(ann)).isEqualTo(expected);
            assertThat(seqs(ann)).doesNotHaveDuplicates().hasSize(60);
            assertThat(ann.driver.findElements(By.id("older"))).as("nothing older is left to load").isEmpty();
            // the reader stays where they were, above message 11, instead of jumping to the oldest one
            assertThat(ann.<Long>js("return Math.round(document.getElementById('messages').scrollTop)")).isPositive();
        }
    }

    @Test
    void scrolling_up_a_room_whose_oldest_messages_were_pruned_ends_saying_they_are_no_longer_kept() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0", "--keep-per-room", "55", "--prune-every", "100ms");
                WsClient seed = WsClient.connect(server.ws("/r/pruned/ws"));
                Browser ann = new Browser()) {
            seed.awaitHistory();
            for (int i = 1; i <= 70; i++) {
                seed.say("message " + i);
            }
            seed.awaitMessages(70);
            chatroom.Await.until(() -> {
                try {
                    return !server.get("/r/pruned/messages?before=20").body().contains("id=\"m-15\"");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, "messages 1 to 15 pruned", java.time.Duration.ofSeconds(30));

            ann.openRoom(server.url("/r/pruned"));
            ann.js("document.getElementById('messages').scrollTop = 0");
            ann.await(d -> d.findElements(By.cssSelector("#messages .msg")).size() == 55);

            assertThat(texts(ann)).startsWith("message 16").endsWith("message 70");
            WebElement end = ann.driver.findElement(By.id("older"));
            assertThat(end.getText()).isEqualTo("Older messages are no longer kept.");
            assertThat(ann.driver.findElements(By.cssSelector("#older button"))).isEmpty();
        }
    }

    @Test
    void a_burst_that_arrives_several_messages_to_a_frame_shows_each_message_once_in_order() throws Exception {
        int burst = 200;
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                WsClient bob = WsClient.connect(server.ws("/r/burst/ws"))) {
            bob.awaitHistory(); // the room knows its latest messages now: ann's page joins from them, not the store
            ann.openRoom(server.url("/r/burst"));
            // how many messages each frame the page receives holds
            ann.js("window.messagesPerFrame = [];"
                    + "document.addEventListener('htmx:wsBeforeMessage', function (e) {"
                    + "  window.messagesPerFrame.push((e.detail.message.match(/class=\"msg\"/g) || []).length) })");

            for (int i = 1; i <= burst; i++) {
                bob.say("burst " + i);
            }

            ann.await(d -> d.findElements(By.cssSelector("#messages .msg")).size() >= burst);
            List<String> expected = java.util.stream.IntStream.rangeClosed(1, burst).mapToObj(i -> "burst " + i).toList();
            assertThat(texts(ann)).isEqualTo(expected);
            assertThat(seqs(ann)).isSorted().doesNotHaveDuplicates();
            List<Long> perFrame = ann.js("return window.messagesPerFrame");
            assertThat(perFrame.stream().mapToLong(Long::longValue).sum()).isEqualTo(burst);
            assertThat(perFrame).as("frames that held several messages").anyMatch(n -> n > 1);
        }
    }

    @Test
    void the_list_follows_new_messages_until_the_reader_scrolls_up_then_a_pill_takes_them_down() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient bob = WsClient.connect(server.ws("/r/sticky/ws"));
                Browser ann = new Browser()) {
            for (int i = 1; i <= 30; i++) {
                bob.say("line " + i);
            }
            bob.awaitMessages(30);
            ann.openRoom(server.url("/r/sticky"));

            bob.say("line 31");
            ann.await(d -> texts(ann).contains("line 31"));
            assertThat(ann.<Boolean>js(AT_BOTTOM)).as("still at the newest message").isTrue();
            assertThat(ann.driver.findElement(By.id("new-messages")).isDisplayed()).isFalse();

            scrollToTop(ann);
            bob.say("line 32");
            ann.await(d -> d.findElement(By.id("new-messages")).isDisplayed());
            assertThat(ann.<Boolean>js(AT_BOTTOM)).as("the reader's place is kept").isFalse();

            ann.driver.findElement(By.id("new-messages")).click();
            ann.await(d -> ann.<Boolean>js(AT_BOTTOM) && !d.findElement(By.id("new-messages")).isDisplayed());
        }
    }

    @Test
    void times_are_shown_in_the_readers_time_zone() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                WsClient bob = WsClient.connect(server.ws("/r/clock/ws"));
                Browser ann = new Browser()) {
            bob.say("what time is it?");
            bob.awaitMessages(1);
            ann.driver.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "Asia/Kolkata"));
            ann.openRoom(server.url("/r/clock"));

            WebElement time = ann.driver.findElement(By.cssSelector("#messages .msg time"));
            ZonedDateTime local = Instant.parse(time.getAttribute("datetime")).atZone(ZoneId.of("Asia/Kolkata"));
            String minutes = String.format(":%02d", local.getMinute()); // UTC+5:30 moves the minutes too
            int hour12 = local.getHour() % 12 == 0 ? 12 : local.getHour() % 12;
            assertThat(time.getText()).contains(minutes)
                    .containsAnyOf(String.format("%02d:", local.getHour()), String.format("%02d:", hour12), hour12 + ":");
        }
    }

    @Test
    void the_counter_appears_near_the_limit_and_sending_over_it_is_refused_on_the_page() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0", "--max-message-chars", "250");
                Browser ann = new Browser()) {
            ann.openRoom(server.url("/r/limits"));
            WebElement box = ann.driver.findElement(By.id("message"));
            WebElement counter = ann.driver.findElement(By.id("counter"));
            box.sendKeys("a".repeat(40));
            assertThat(counter.getText()).isEmpty();
            box.sendKeys("b".repeat(200));
            assertThat(counter.getText()).isEqualTo("10 left");
            box.sendKeys("c".repeat(15));
            assertThat(counter.getText()).isEqualTo("5 over the 250-character limit");
            assertThat(ann.driver.findElement(By.id("send")).isEnabled()).isFalse();

            box.sendKeys(Keys.ENTER);
            assertThat(box.getAttribute("value")).as("the draft is kept").hasSize(255);
            box.sendKeys(Keys.BACK_SPACE.toString().repeat(5), Keys.ENTER);
            ann.await(d -> texts(ann).size() == 1);
            assertThat(texts(ann).get(0)).hasSize(250);
        }
    }

    @Test
    void shift_enter_makes_a_new_line_and_enter_sends_both_lines() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser()) {
            ann.openRoom(server.url("/r/lines"));
            ann.driver.findElement(By.id("message"))
                    .sendKeys("first line", Keys.chord(Keys.SHIFT, Keys.ENTER), "second line", Keys.ENTER);
            ann.await(d -> texts(ann).size() == 1);
            assertThat(texts(ann).get(0)).isEqualTo("first line\nsecond line");
        }
    }

    @Test
    void renaming_in_one_browser_updates_the_people_list_in_the_other() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser bob = new Browser()) {
            ann.openRoom(server.url("/r/names"));
            bob.openRoom(server.url("/r/names"));
            bob.await(d -> people(bob).size() == 2);

            WebElement name = ann.driver.findElement(By.id("display-name"));
            name.clear();
            name.sendKeys("Annabel Q", Keys.ENTER);

            bob.await(d -> people(bob).contains("Annabel Q"));
            ann.await(d -> d.findElement(By.cssSelector(".name-form .name-status")).getText().equals("Saved."));
            assertThat(ann.driver.findElement(By.cssSelector("#presence li.me")).getText()).startsWith("Annabel Q");
            say(ann, "new name, same me");
            bob.await(d -> d.findElements(By.cssSelector("#messages .msg .author")).stream()
                    .anyMatch(a -> a.getText().equals("Annabel Q")));
        }
    }

    // ---- helpers

    static final String AT_BOTTOM =
            "var l = document.getElementById('messages'); return l.scrollHeight - l.scrollTop - l.clientHeight < 2";

    /**
     * Scrolls the list to the top and waits until the page has taken the scroll in. The page learns the
     * reader's place from the list's scroll event, which the browser dispatches at its next rendering step,
     * not when scrollTop is set: a message landing in between still finds the page at the bottom, and is
     * rightly followed there instead of shown behind the pill. A listener added after the page's runs after
     * it, so once it has run, the page knows.
     */
    static void scrollToTop(Browser b) {
        b.js("var l = document.getElementById('messages'); window.scrollSeen = false;"
                + " l.addEventListener('scroll', function () { window.scrollSeen = true }, { once: true });"
                + " l.scrollTop = 0");
        b.await(d -> b.<Boolean>js("return window.scrollSeen") && !b.<Boolean>js(AT_BOTTOM));
    }

    static void say(Browser b, String text) {
        b.driver.findElement(By.id("message")).sendKeys(text, Keys.ENTER);
    }

    static List<String> texts(Browser b) {
        return b.js("return Array.from(document.querySelectorAll('#messages .msg .text'), e => e.textContent)");
    }

    static List<Long> seqs(Browser b) {
        List<String> raw = b.js("return Array.from(document.querySelectorAll('#messages .msg'), e => e.dataset.seq)");
        return raw.stream().map(Long::parseLong).toList();
    }

    static List<String> people(Browser b) {
        return b.js("return Array.from(document.querySelectorAll('#presence li[data-author]'), e => e.firstChild.textContent)");
    }

    private static List<String> classes(Browser b) {
        return b.js("return Array.from(document.querySelectorAll('#messages .msg'), e => e.className)");
    }

    private static boolean alertShown(Browser b) {
        try {
            b.driver.switchTo().alert();
            return true;
        } catch (NoAlertPresentException e) {
            return false;
        }
    }
}
