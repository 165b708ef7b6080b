package chatroom.browser;

import static chatroom.browser.PasskeyBrowserTest.authenticator;
import static chatroom.browser.PasskeyBrowserTest.button;
import static chatroom.browser.PasskeyBrowserTest.keepName;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.ChildServer;
import chatroom.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The server gets owners: the operator's {@code admin invite}, run beside the running server against its
 * database, prints a link; the first account to accept it becomes an owner, a second is told it was
 * used; an owner appoints a moderator; nobody else finds {@code /admin}.
 */
class OwnerInviteBrowserTest {

    @Test
    void the_first_account_to_accept_an_invite_becomes_an_owner_and_appoints_a_moderator() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser owner = new Browser();
                Browser late = new Browser()) {
            String site = "http://localhost:" + server.port();
            for (Browser b : List.of(owner, late)) authenticator(b);
            keepName(owner, site + "/r/owners", "Olivia");
            keepName(late, site + "/r/owners", "Lucas");
            HttpClient http = HttpClient.newHttpClient();
            assertThat(http.send(HttpRequest.newBuilder(URI.create(site + "/admin")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("a guest").isEqualTo(404);

            ChildServer.Finished invite = ChildServer.run("admin", "invite", "--db", server.dir.resolve("chatroom.db").toString(),
                    "--port", String.valueOf(server.port()));
            assertThat(invite.exitCode()).as(invite.err()).isZero();
            List<String> lines = invite.out().lines().toList();
            String link = lines.getLast();
            assertThat(link).as("the link alone on the last line").matches("http://localhost:" + server.port() + "/admin/invite/[A-Za-z0-9_-]{43}");

            owner.driver.get(link);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).as("opening the link (a preview, say) does not use it").isEqualTo(200);
            button(owner, "Accept as Olivia").click();
            owner.await(d -> d.getCurrentUrl().equals(site + "/admin"));
            assertThat(owner.driver.findElement(By.id("accounts")).getText()).contains("Olivia").contains("Owner").contains("Lucas");

            late.driver.get(link);
            button(late, "Accept as Lucas").click();
            late.await(d -> d.getPageSource().contains("already used"));
            late.driver.get(site + "/admin");
            assertThat(late.driver.getPageSource()).as("a member finds nothing").contains("There is nothing at /admin");

            // the owner makes Lucas a moderator: he now sees the page, and cannot change roles
            WebElement make = owner.await(d -> d.findElements(By.tagName("button")).stream()
                    .filter(b -> "Make Lucas a moderator".equals(b.getAccessibleName())).findFirst().orElse(null));
            make.click();
            owner.await(d -> d.findElement(By.id("accounts")).getText().contains("Moderator"));
            late.driver.get(site + "/admin");
            late.await(d -> d.findElements(By.id("accounts")).size() == 1);
            assertThat(late.driver.findElements(By.xpath("//button[contains(., 'moderator')]"))).as("no role buttons for a moderator").isEmpty();
            // nor may a moderator change a role by hand: not the owner's, not their own
            String lucasSession = "chatroom_session=" + late.driver.manage().getCookieNamed("chatroom_session").getValue();
            String oliviaId;
            try (var db = chatroom.store.Invites.sqlite(server.dir.resolve("chatroom.db"));
                    var rows = db.createStatement().executeQuery("SELECT user_id FROM accounts WHERE name = 'Olivia'")) {
                rows.next();
                oliviaId = rows.getString(1);
            }
            for (String form : List.of("user=" + oliviaId + "&role=member", "user=" + oliviaId + "&role=moderator")) {
                HttpResponse<String> tried = http.send(HttpRequest.newBuilder(URI.create(site + "/admin/role"))
                        .header("Origin", site).header("Cookie", lucasSession)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(tried.statusCode()).as(form).isEqualTo(403);
            }
            late.driver.get(site + "/");
            assertThat(late.driver.findElement(By.id("account")).getText()).contains("Moderator");
            assertThat(late.driver.findElements(By.linkText("Admin"))).hasSize(1);

            // the owner closes the server to guests: a visitor without an account now finds the lobby only
            owner.driver.get(site + "/admin");
            owner.driver.findElement(By.xpath("//label[contains(., 'Nothing')]/input")).click();
            button(owner, "Save").click();
            owner.await(d -> d.findElement(By.xpath("//label[contains(., 'Nothing')]/input")).isSelected());
            assertThat(http.send(HttpRequest.newBuilder(URI.create(site + "/r/owners")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("a guest, now").isEqualTo(403);
            late.driver.get(site + "/r/owners");
            assertThat(late.driver.findElements(By.id("message"))).as("an account still gets in").hasSize(1);
            late.driver.get(site + "/admin");
            assertThat(late.driver.findElement(By.id("guests-now")).getText()).contains("nothing but sign in");
        }
    }
}
