package chatroom.browser;

import static chatroom.browser.PasskeyBrowserTest.authenticator;
import static chatroom.browser.PasskeyBrowserTest.button;
import static chatroom.browser.PasskeyBrowserTest.keepName;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.TestServer;
import io.nayuki.qrcodegen.QrCode;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;

/**
 * Adding a device without a second passkey first: a signed-in device shows a one-time link and its QR
 * code; the other device opens it, is signed in, and makes a passkey of its own there.
 */
class DeviceLinkBrowserTest {

    @Test
    void a_link_from_a_signed_in_device_signs_another_in_once_and_that_one_adds_its_own_passkey() throws Exception {
        try (TestServer server = TestServer.start("--rate", "0");
                Browser laptop = new Browser();
                Browser phone = new Browser();
                Browser stranger = new Browser()) {
            String site = "http://localhost:" + server.port();
            authenticator(laptop);
            VirtualAuthenticator phoneKeys = authenticator(phone);
            keepName(laptop, site + "/r/devices", "Dana");

            laptop.driver.findElement(By.linkText("Your devices")).click();
            button(laptop, "Add a device").click();
            String link = laptop.await(d -> d.findElement(By.id("device-link")).getAttribute("value"));
            assertThat(link).matches(java.util.regex.Pattern.quote(site) + "/account/link/[A-Za-z0-9_-]{43}");
            WebElement qr = laptop.driver.findElement(By.cssSelector("svg[role=img]"));
            assertThat(qr.getAccessibleName()).isEqualTo("QR code of the link");
            assertThat(qr.getAttribute("innerHTML")).as("the code is of this link").contains(pathOf(link));

            phone.driver.get(link);
            button(phone, "Sign in on this device").click();
            button(phone, "Add a passkey on this device").click();
            phone.await(d -> d.getCurrentUrl().equals(site + "/"));
            assertThat(phone.driver.findElement(By.id("display-name")).getAttribute("value")).isEqualTo("Dana");
            assertThat(phoneKeys.getCredentials()).as("a passkey of its own").hasSize(1);

            // the link is spent; a second opener is told so and stays a guest
            stranger.driver.get(link);
            button(stranger, "Sign in on this device").click();
            stranger.await(d -> d.getPageSource().contains("already used"));
            stranger.driver.get(site + "/");
            assertThat(stranger.driver.findElement(By.id("display-name")).getAttribute("value")).isNotEqualTo("Dana");

            // the phone signs out and back in with its own passkey
            button(phone, "Sign out").click();
            phone.await(d -> !d.findElements(By.linkText("Sign in")).isEmpty());
            phone.driver.findElement(By.linkText("Sign in")).click();
            button(phone, "Sign in with a passkey").click();
            phone.await(d -> d.getCurrentUrl().equals(site + "/"));
            assertThat(phone.driver.findElement(By.id("display-name")).getAttribute("value")).isEqualTo("Dana");
        }
    }

    /** The SVG path the server draws for {@code text}'s QR code (QrSvg's own drawing, from the library's modules). */
    private static String pathOf(String text) {
        QrCode code = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
        StringBuilder path = new StringBuilder();
        for (int y = 0; y < code.size; y++) {
            for (int x = 0; x < code.size; x++) {
                if (code.getModule(x, y)) path.append('M').append(x + 4).append(',').append(y + 4).append("h1v1h-1z");
            }
        }
        return path.toString();
    }
}
