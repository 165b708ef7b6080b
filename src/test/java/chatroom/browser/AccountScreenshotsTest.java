package chatroom.browser;

import static chatroom.browser.PasskeyBrowserTest.authenticator;
import static chatroom.browser.PasskeyBrowserTest.button;

import chatroom.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Regenerates the pictures of docs/ACCOUNTS.md in {@code docs/screenshots/}: a guest's Keep this name, an
 * account's devices, the link and QR code that add one, and the admin page. Skipped unless asked for:
 * {@code ./mvnw test -Dtest=AccountScreenshotsTest -Dscreenshots=true}.
 */
@EnabledIfSystemProperty(named = "screenshots", matches = "true")
class AccountScreenshotsTest {

    private static final Path OUT = Path.of("docs", "screenshots");

    @Test
    void keeping_a_name_devices_a_device_link_and_the_admin_page() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser browser = new Browser(1280, 800, false)) {
            String site = "http://localhost:" + server.port();
            authenticator(browser);
            Files.createDirectories(OUT);
            browser.openRoom(site + "/r/general");
            WebElement field = browser.driver.findElement(By.id("display-name"));
            field.clear();
            field.sendKeys("Dana", Keys.ENTER);
            browser.await(d -> "Saved.".equals(d.findElement(By.cssSelector(".name-status")).getText()));
            browser.js("document.querySelector('.name-status').textContent = ''");
            browser.await(d -> d.findElement(By.id("presence")).getText().contains("Dana"));
            browser.driver.findElement(By.id("message")).click();
            Files.write(OUT.resolve("account-keep-name.png"), browser.screenshot());

            button(browser, "Keep this name").click();
            browser.await(d -> !d.findElements(By.linkText("Your devices")).isEmpty());
            browser.driver.findElement(By.linkText("Your devices")).click();
            browser.await(d -> !d.findElements(By.cssSelector(".devices li")).isEmpty());
            Files.write(OUT.resolve("account-devices.png"), browser.screenshot());

            button(browser, "Add a device").click();
            browser.await(d -> !d.findElements(By.cssSelector("svg.qr")).isEmpty());
            Files.write(OUT.resolve("account-device-link.png"), browser.screenshot());

            chatroom.ChildServer.Finished invite = chatroom.ChildServer.run("admin", "invite", "--db",
                    server.dir.resolve("chatroom.db").toString(), "--port", String.valueOf(server.port()));
            browser.driver.get(invite.out().lines().toList().getLast());
            button(browser, "Accept as Dana").click();
            browser.await(d -> d.getCurrentUrl().endsWith("/admin"));
            Files.write(OUT.resolve("account-admin.png"), browser.screenshot());
        }
    }
}
