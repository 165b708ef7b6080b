package chatroom.browser;

import static chatroom.browser.RepliesAndReactionsBrowserTest.named;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * Keeping a name with a passkey, signing out and in, and the name kept from others, in Chromium with its
 * virtual authenticator (a platform authenticator that verifies the user, as a phone's or a laptop's does).
 */
class PasskeyBrowserTest {

    @Test
    void a_kept_name_survives_signing_out_and_in_and_nobody_else_can_take_it() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser ann = new Browser();
                Browser other = new Browser();
                Browser annsPhone = new Browser()) {
            String room = "http://localhost:" + server.port() + "/r/passkeys";
            VirtualAuthenticator annsKeys = authenticator(ann);
            ann.openRoom(room);
            rename(ann, "Annabel");
            assertThat(ann.driver.findElement(By.cssSelector(".name-status")).getText()).isEqualTo("Saved.");
            RoomPageBrowserTest.say(ann, "said as a guest");
            ann.await(d -> RoomPageBrowserTest.texts(ann).contains("said as a guest"));

            button(ann, "Keep this name").click();
            ann.await(d -> !d.findElements(By.xpath("//button[normalize-space()='Sign out']")).isEmpty());
            ann.await(d -> "connected".equals(d.findElement(By.id("status")).getAttribute("data-state")));
            assertThat(annsKeys.getCredentials()).hasSize(1);
            String guestCookie = ann.driver.manage().getCookieNamed("chatroom_id").getValue();
            assertThat(ann.driver.findElement(By.id("account")).getText()).contains("Signed in with a passkey");
            assertThat(ann.driver.findElements(By.xpath("//a[normalize-space()='Sign in']"))).isEmpty();

            // another visitor cannot take the name, nor one that looks like it
            other.openRoom("http://localhost:" + server.port() + "/r/passkeys");
            for (String lookalike : List.of("Annabel", "annabel", "Annabe1", "Ánnabel")) {
                rename(other, lookalike);
                assertThat(other.driver.findElement(By.cssSelector(".name-status")).getText()).as(lookalike)
                        .startsWith("Not saved").contains("kept by someone");
            }

            // signed out: a guest again, under a new id; the page offers Sign in
            button(ann, "Sign out").click();
            WebElement signIn = ann.await(d -> d.findElements(By.xpath("//a[normalize-space()='Sign in']")).stream().findFirst().orElse(null));
            String guestName = ann.driver.findElement(By.id("display-name")).getAttribute("value");
            assertThat(guestName).isNotEqualTo("Annabel");

            // signed in again with the passkey: the name and the messages sent as a guest are hers
            signIn.click();
            button(ann, "Sign in with a passkey").click();
            ann.await(d -> d.getCurrentUrl().endsWith(":" + server.port() + "/"));
            assertThat(ann.driver.findElement(By.id("display-name")).getAttribute("value")).isEqualTo("Annabel");
            ann.openRoom(room);
            WebElement mine = ann.await(d -> d.findElements(By.cssSelector("#messages article.mine")).stream()
                    .filter(m -> m.getText().contains("said as a guest")).findFirst().orElse(null));
            assertThat(mine.findElement(By.tagName("header")).getText()).as("marked as an account's").contains("Account");
            WebElement edit = ann.await(d -> named(ann, mine, "button", "Edit"));
            assertThat(edit).as("still her message: she may edit it").isNotNull();

            // the same passkey on another device (as a synced passkey would be) signs that one in too
            VirtualAuthenticator phoneKeys = authenticator(annsPhone);
            phoneKeys.addCredential(annsKeys.getCredentials().get(0));
            annsPhone.driver.get("http://localhost:" + server.port() + "/sign-in");
            annsPhone.js(KEEP_ANSWER);
            button(annsPhone, "Sign in with a passkey").click();
            annsPhone.await(d -> d.getCurrentUrl().endsWith(":" + server.port() + "/"));
            assertThat(annsPhone.driver.findElement(By.id("display-name")).getAttribute("value")).isEqualTo("Annabel");

            // that answer, sent again (a copy taken off the wire), signs nobody in: its challenge is used up
            String answer = annsPhone.js("return sessionStorage.getItem('answer')");
            assertThat(answer).contains("authenticatorData");
            HttpResponse<String> replayed = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/account/sign-in"))
                    .header("Origin", "http://localhost:" + server.port()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(answer)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(replayed.statusCode()).isEqualTo(403);
            assertThat(replayed.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("chatroom_session=") && c.length() > 40);

            // the guest cookie she had before keeping her name no longer makes anyone her
            HttpResponse<String> withOldCookie = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/"))
                    .header("Cookie", "chatroom_id=" + guestCookie).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(withOldCookie.body()).doesNotContain("value=\"Annabel\"").contains("Keep this name");
        }
    }

    @Test
    void a_device_signed_out_from_another_loses_its_socket_with_a_clear_message_and_becomes_a_guest() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser laptop = new Browser();
                Browser phone = new Browser()) {
            String site = "http://localhost:" + server.port();
            VirtualAuthenticator laptopKeys = authenticator(laptop);
            keepName(laptop, site + "/r/devices", "Bartholomew");

            authenticator(phone).addCredential(laptopKeys.getCredentials().get(0));
            phone.driver.get(site + "/sign-in");
            button(phone, "Sign in with a passkey").click();
            phone.await(d -> d.getCurrentUrl().equals(site + "/"));
            phone.openRoom(site + "/r/devices");

            laptop.driver.findElement(By.linkText("Your devices")).click();
            List<WebElement> devices = laptop.await(d -> {
                List<WebElement> items = d.findElements(By.cssSelector(".devices li"));
                return items.size() == 2 ? items : null;
            });
            assertThat(devices).filteredOn(d -> d.getText().contains("This device")).hasSize(1);
            WebElement other = devices.stream().filter(d -> !d.getText().contains("This device")).findFirst().orElseThrow();
            assertThat(other.getText()).contains("Chrome on Linux").contains("127.0.0.1");
            WebElement signOut = other.findElement(By.tagName("button"));
            assertThat(signOut.getAccessibleName()).startsWith("Sign out");
            signOut.click();
            laptop.await(d -> d.findElements(By.cssSelector(".devices li")).size() == 1);

            phone.await(d -> "signed-out".equals(d.findElement(By.id("status")).getAttribute("data-state")));
            assertThat(phone.driver.findElement(By.id("status")).getText()).contains("Signed out");
            phone.driver.navigate().refresh();
            assertThat(button(phone, "Keep this name")).as("a guest again").isNotNull();
            assertThat(phone.driver.findElement(By.id("display-name")).getAttribute("value")).isNotEqualTo("Bartholomew");
            assertThat(laptop.driver.findElement(By.cssSelector(".devices li")).getText()).contains("This device");
        }
    }

    @Test
    void a_page_reached_by_ip_address_says_why_it_offers_no_passkey() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser visitor = new Browser()) {
            visitor.openRoom(server.url("/r/by-address"));
            assertThat(visitor.driver.findElement(By.id("keep-name")).isDisplayed()).isFalse();
            assertThat(visitor.driver.findElement(By.id("account-status")).getText()).contains("by its name over https");
        }
    }

    /** Keeps the body of the page's sign-in answer in sessionStorage, which outlives the page. */
    private static final String KEEP_ANSWER = "var f = window.fetch; window.fetch = function (url, options) {"
            + " if (url === '/account/sign-in') sessionStorage.setItem('answer', options.body); return f.apply(this, arguments) }";

    private final HttpClient http = HttpClient.newHttpClient();

    static VirtualAuthenticator authenticator(Browser browser) {
        return ((HasVirtualAuthenticator) browser.driver).addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true)
                .setHasUserVerification(true)
                .setIsUserVerified(true)
                .setIsUserConsenting(true));
    }

    static WebElement button(Browser browser, String name) {
        return browser.await(d -> d.findElements(By.tagName("button")).stream()
                .filter(b -> name.equals(b.getAccessibleName()) && b.isDisplayed() && b.isEnabled()).findFirst().orElse(null));
    }

    /** Opens {@code room}, takes {@code name} and keeps it with a passkey; returns once signed in. */
    static void keepName(Browser browser, String room, String name) {
        browser.openRoom(room);
        rename(browser, name);
        assertThat(browser.driver.findElement(By.cssSelector(".name-status")).getText()).isEqualTo("Saved.");
        button(browser, "Keep this name").click();
        browser.await(d -> !d.findElements(By.xpath("//button[normalize-space()='Sign out']")).isEmpty());
    }

    /** Types a new name and waits for the page to say whether it was saved. */
    private static void rename(Browser browser, String name) {
        browser.js("document.querySelector('.name-status').textContent = ''");
        WebElement field = browser.driver.findElement(By.id("display-name"));
        field.clear();
        field.sendKeys(name, Keys.ENTER);
        browser.await(d -> !d.findElement(By.cssSelector(".name-status")).getText().isEmpty());
    }
}
