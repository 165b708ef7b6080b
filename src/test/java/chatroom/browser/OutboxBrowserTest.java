package chatroom.browser;

import static chatroom.browser.RoomPageBrowserTest.say;
import static chatroom.browser.RoomPageBrowserTest.seqs;
import static chatroom.browser.RoomPageBrowserTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.ChildServer;
import chatroom.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page's own messages on their way: each waits in the list with its text and its state until the
 * server sends it back; the page paces itself under the server's limits, so a backlog built while the
 * server stood still goes through without a refusal; one the server could not store is marked "Not
 * sent", keeps its text, and goes with Retry (or away with Discard).
 */
class OutboxBrowserTest {

    /** A backlog drains at the user's rate (5 a second by default) once the server is back. */
    private static final Duration DRAINED = Duration.ofSeconds(90);

    @Test
    void messages_typed_while_the_server_stands_still_all_arrive_once_in_order_and_none_is_refused() throws Exception {
        // more than a user may send at once (--user-burst 20), with the server's default limits
        int typed = 30;
        Path dir = Files.createTempDirectory("chatroom-stall");
        try (ChildServer server = ChildServer.start(dir);
                Browser ann = new Browser()) {
            ann.openRoom(server.url("/r/stall"));
            countRefusals(ann);
            say(ann, "before");
            ann.await(d -> texts(ann).equals(List.of("before")));

            List<String> backlog = IntStream.rangeClosed(1, typed).mapToObj(i -> "typed " + i).toList();
            server.pause();
            try {
                backlog.forEach(text -> say(ann, text));
                // each waits on the page with its own text; no more than a window of them on their way
                assertThat(pendingTexts(ann)).isEqualTo(backlog);
                List<String> states = pendingStates(ann);
                assertThat(states).doesNotContain("failed").contains("sending", "waiting");
                assertThat(states.stream().filter("sending"::equals).count())
                        .as("messages on their way at once").isLessThanOrEqualTo(10);
                assertThat(texts(ann)).containsExactly("before");
            } finally {
                server.resume();
            }

            new WebDriverWait(ann.driver, DRAINED).until(d -> pendingTexts(ann).isEmpty());
            assertThat(texts(ann)).first().isEqualTo("before");
            assertThat(texts(ann).subList(1, texts(ann).size())).isEqualTo(backlog);
            assertThat(seqs(ann)).isSorted().doesNotHaveDuplicates().hasSize(typed + 1);
            assertThat(ann.<Long>js("return window.refusals")).as("messages refused by the server").isZero();
            // and the server stored each once
            String history = get(server.url("/r/stall"));
            for (String text : backlog) {
                assertThat(history.split(Pattern.quote(">" + text + "<"), -1)).as(text).hasSize(2);
            }
        }
    }

    @Test
    void messages_refused_as_too_fast_because_another_tab_spent_the_users_share_go_again_by_themselves() throws Exception {
        // one message every 5 s, 3 at once, for the user over both tabs
        try (TestServer server = TestServer.start("--user-rate", "0.2", "--user-burst", "3");
                Browser first = new Browser();
                Browser second = new Browser()) {
            String cookie = Visitors.cookie(server, "ann");
            for (Browser tab : List.of(first, second)) {
                Visitors.become(tab, server, cookie);
                tab.openRoom(server.url("/r/two-tabs"));
                countRefusals(tab);
            }
            List.of("one", "two", "three").forEach(text -> say(first, text));
            first.await(d -> texts(first).size() == 3);
            // the second tab knows nothing of the share the first has spent
            List.of("four", "five").forEach(text -> say(second, text));

            List<String> all = List.of("one", "two", "three", "four", "five");
            for (Browser tab : List.of(first, second)) {
                new WebDriverWait(tab.driver, DRAINED).until(d -> texts(tab).size() >= all.size());
                assertThat(texts(tab)).isEqualTo(all);
            }
            assertThat(second.<Long>js("return window.refusals")).as("refusals the second tab met").isPositive();
            assertThat(pendingTexts(second)).isEmpty();
        }
    }

    @Test
    void a_message_the_server_could_not_store_keeps_its_text_marked_not_sent_and_retry_stores_it_once()
            throws Exception {
        try (TestServer server = TestServer.start("--store-timeout", "1s", "--metrics-port", "0");
                Browser ann = new Browser()) {
            ann.openRoom(server.url("/r/locked"));
            say(ann, "first");
            ann.await(d -> texts(ann).equals(List.of("first")));
            double notStoredBefore = notStored(server);

            // another process holds SQLite's write lock: the writer waits in its busy timeout, then gives up
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + server.dir.resolve("chatroom.db"));
                    Statement sql = other.createStatement()) {
                sql.execute("BEGIN IMMEDIATE");
                say(ann, "held back");
                say(ann, "second thoughts");
                WebElement held = ann.await(d -> failed(ann, "held back"));
                assertThat(held.findElement(By.className("text")).getText()).isEqualTo("held back");
                assertThat(held.getText()).contains("Not sent: Your message was not sent");
                WebElement second = ann.await(d -> failed(ann, "second thoughts"));
                assertThat(second.getText()).contains("Not sent");
                assertThat(texts(ann)).containsExactly("first");
                // told within the store timeout; the store gives up later and stores neither
                Await.until(() -> notStored(server) >= notStoredBefore + 2 ? true : null,
                        "the writer to give up on both", Duration.ofSeconds(60));
                sql.execute("ROLLBACK");
            }

            button(failed(ann, "second thoughts"), "Discard").click();
            button(failed(ann, "held back"), "Retry").click();
            ann.await(d -> texts(ann).equals(List.of("first", "held back")));
            say(ann, "after"); // the marker: the discarded one never comes after it
            ann.await(d -> texts(ann).equals(List.of("first", "held back", "after")));
            assertThat(pendingTexts(ann)).isEmpty();
            String history = get(server.url("/r/locked"));
            assertThat(history.split(">held back<", -1)).hasSize(2);
            assertThat(history).doesNotContain("second thoughts");
        }
    }

    // ---- helpers

    /** Counts in window.refusals every "not sent" the server sends the page for one of its messages. */
    private static void countRefusals(Browser b) {
        b.js("window.refusals = 0; document.addEventListener('htmx:oobBeforeSwap', function (e) {"
                + " var el = e.detail.fragment && e.detail.fragment.firstElementChild;"
                + " if (el && el.id === 'composer-error' && el.dataset.notSent) window.refusals++ })");
    }

    private static List<String> pendingTexts(Browser b) {
        return b.js("return Array.from(document.querySelectorAll('#messages .pending .text'), e => e.textContent)");
    }

    private static List<String> pendingStates(Browser b) {
        return b.js("return Array.from(document.querySelectorAll('#messages .pending'), e => e.dataset.state)");
    }

    /** The page's message with this text once it is marked not sent, else null. */
    private static WebElement failed(Browser b, String text) {
        for (WebElement item : b.driver.findElements(By.cssSelector("#messages .pending"))) {
            if (item.findElement(By.className("text")).getText().equals(text)
                    && button(item, "Retry") != null && item.getText().contains("Not sent")) {
                return item;
            }
        }
        return null;
    }

    /** The button inside {@code item} whose accessible name is {@code name}, shown; null if there is none. */
    private static WebElement button(WebElement item, String name) {
        for (WebElement element : item.findElements(By.xpath(".//*"))) {
            if ("button".equals(element.getAriaRole()) && name.equals(element.getAccessibleName()) && element.isDisplayed()) {
                return element;
            }
        }
        return null;
    }

    private static double notStored(TestServer server) {
        Matcher m = Pattern.compile("(?m)^chatroom_messages_not_stored_total(?:\\{[^}]*})? ([0-9.eE+]+)$")
                .matcher(get("http://127.0.0.1:" + server.metricsPort() + "/metrics"));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String get(String url) {
        try {
            return HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            throw new AssertionError("GET " + url + ": " + e, e);
        }
    }
}
