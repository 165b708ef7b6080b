package chatroom.browser;

import chatroom.TestServer;
import chatroom.WsClient;
import java.net.http.HttpResponse;
import org.openqa.selenium.Cookie;

/**
 * Visitors with chosen names, made the way a browser makes them: a {@code POST /name} returns the
 * identity cookie, which a {@link WsClient} then sends, or which is put into a {@link Browser}.
 */
final class Visitors {

    private Visitors() {}

    /** The {@code name=value} of the identity cookie of a new visitor called {@code name}. */
    static String cookie(TestServer server, String name) throws Exception {
        HttpResponse<String> response = server.postForm(
                "/name", "name=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8),
                "Origin", server.url(""));
        String setCookie = response.headers().firstValue("set-cookie")
                .orElseThrow(() -> new AssertionError("POST /name set no cookie; status " + response.statusCode()));
        return setCookie.split(";", 2)[0];
    }

    /** A socket in {@code room} speaking as the visitor whose cookie this is. */
    static WsClient in(TestServer server, String room, String cookie) {
        return WsClient.connect(server.ws("/r/" + room + "/ws"), "Cookie", cookie);
    }

    /** Makes the browser this visitor (it must be on the server's origin first). */
    static void become(Browser browser, TestServer server, String cookie) {
        browser.driver.get(server.url("/static/favicon.svg"));
        String[] parts = cookie.split("=", 2);
        browser.driver.manage().deleteAllCookies();
        browser.driver.manage().addCookie(new Cookie.Builder(parts[0], parts[1]).path("/").isHttpOnly(true).build());
    }
}
