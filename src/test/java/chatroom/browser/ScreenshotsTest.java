package chatroom.browser;

import chatroom.TestServer;
import chatroom.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;

/**
 * Regenerates the pictures in {@code docs/screenshots/}: the lobby and a busy room, light and dark, on a
 * phone (375×740) and a desktop (1280×800). Skipped unless asked for:
 * {@code ./mvnw test -Dtest=ScreenshotsTest -Dscreenshots=true} (or {@code scripts/screenshots.sh}).
 */
@EnabledIfSystemProperty(named = "screenshots", matches = "true")
class ScreenshotsTest {

    private static final Path OUT = Path.of("docs", "screenshots");

    @Test
    void lobby_and_busy_room_in_light_and_dark_on_phone_and_desktop() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0")) {
            List<WsClient> sockets = new ArrayList<>();
            try {
                String dana = seed(server, sockets);
                Files.createDirectories(OUT);
                for (boolean dark : new boolean[] {false, true}) {
                    for (int[] size : new int[][] {{375, 740}, {1280, 800}}) {
                        String suffix = (dark ? "dark" : "light") + "-" + (size[0] < 600 ? "phone" : "desktop");
                        try (Browser browser = new Browser(size[0], size[1], dark)) {
                            Visitors.become(browser, server, dana);
                            browser.driver.get(server.url("/"));
                            browser.await(d -> d.findElements(By.cssSelector("#rooms li")).size() >= 4);
                            Files.write(OUT.resolve("lobby-" + suffix + ".png"), browser.screenshot());

                            browser.openRoom(server.url("/r/general"));
                            browser.await(d -> !d.findElement(By.id("people-count")).getText().isEmpty()
                                    && d.findElements(By.cssSelector("#messages .notice")).size() > 0);
                            browser.driver.findElement(By.id("message")).sendKeys("Draft: I'll bring the slides");
                            Files.write(OUT.resolve("room-" + suffix + ".png"), browser.screenshot());
                        }
                    }
                }
            } finally {
                sockets.forEach(WsClient::close);
            }
        }
    }

    /** A few people talking in #general, two more rooms with people, one empty; returns Dana's cookie. */
    private static String seed(TestServer server, List<WsClient> sockets) throws Exception {
        String ann = Visitors.cookie(server, "Ann Lee");
        String bob = Visitors.cookie(server, "Bob");
        String chen = Visitors.cookie(server, "Chen Wei");
        String dana = Visitors.cookie(server, "Dana");
        WsClient a = Visitors.in(server, "general", ann);
        WsClient b = Visitors.in(server, "general", bob);
        WsClient c = Visitors.in(server, "general", chen);
        WsClient d = Visitors.in(server, "general", dana);
        sockets.addAll(List.of(a, b, c));
        String[][] talk = {
            {"a", "Morning all! Is the release still on for Thursday?"},
            {"b", "As far as I know, yes."},
            {"b", "The checklist is here: https://example.com/wiki/release-checklist"},
            {"c", "I still have two reviews open, should be done by noon."},
            {"c", "Also: the staging database was restarted last night, so the first page load is slow."},
            {"d", "Thanks! I'll write the release notes today."},
            {"d", "Anything you want mentioned, drop it here."},
            {"a", "The new search filters, please.\nAnd the fix for the <script> tag in names."},
            {"b", "Supercalifragilisticexpialidociouslylongwordwithoutanyspacesatalltoseehowitwraps"},
            {"c", "Logs from the failed run: https://ci.example.com/jobs/8842/artifacts/logs/integration-tests/2024-05-14T09-12-44Z/full-output.txt"},
            {"a", "Looking now."},
            {"d", "Lunch at 12:30?"},
        };
        int n = 0;
        for (String[] line : talk) {
            WsClient who = switch (line[0]) {
                case "a" -> a;
                case "b" -> b;
                case "c" -> c;
                default -> d;
            };
            who.say(line[1]);
            n++;
            int expected = n;
            a.awaitMessages(expected);
        }
        // a reply to "Lunch at 12:30?" (seq 12), and reactions to it and to the release notes (seq 6)
        b.send("{\"message\": \"Yes, the usual place.\", \"reply\": 12}");
        a.awaitMessages(n + 1);
        for (WsClient reacting : List.of(a, c)) reacting.send("{\"react\": 12, \"emoji\": \"👍\"}");
        a.send("{\"react\": 6, \"emoji\": \"🎉\"}");
        b.send("{\"react\": 6, \"emoji\": \"❤️\"}");
        a.awaitFrame(f -> f.contains("innerHTML:#m-12") && f.contains("<span class=\"n\">2</span>"));
        a.awaitFrame(f -> f.contains("innerHTML:#m-6") && f.contains("❤️"));
        d.close(); // Dana comes back in the browser
        WsClient design1 = Visitors.in(server, "design", ann);
        WsClient design2 = Visitors.in(server, "design", bob);
        WsClient random = Visitors.in(server, "random", chen);
        sockets.addAll(List.of(design1, design2, random));
        try (WsClient old = Visitors.in(server, "release-2024-q2", bob)) {
            old.say("Retrospective notes are in the wiki.");
            old.awaitMessages(1);
        }
        random.say("Anyone up for a walk?");
        random.awaitMessages(1);
        return dana;
    }
}
