package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestServer;
import chatroom.store.Invites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * A new identity secret (the file lost, or rotated with --new-secret) never turns one person into another:
 * guests signed with the old secret become new guests, and an account's session, which the secret does
 * not sign, is still that account.
 */
class SecretRotationTest {

    @Test
    void after_a_new_secret_an_account_is_still_itself_and_an_old_guest_cookie_is_nobody_in_particular() throws Exception {
        Path dir = Files.createTempDirectory("chatroom-rotation");
        String session = "a-session-id-of-the-cookie";
        String guestCookie;
        String annTag;
        try (TestServer server = TestServer.startIn(dir, "--rate", "0")) {
            var first = server.get("/");
            guestCookie = first.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            long now = System.currentTimeMillis();
            try (Connection db = Invites.sqlite(dir.resolve("chatroom.db"));
                    Statement sql = db.createStatement()) {
                sql.execute("INSERT INTO accounts (user_id, name, name_key, role, created_ms, changed_ms)"
                        + " VALUES ('u-ann', 'Ann', 'ann', 'member', " + now + ", " + now + ")");
                sql.execute("INSERT INTO sessions (id_hash, user_id, created_ms, last_seen_ms, user_agent, address, changed_ms)"
                        + " VALUES ('" + hash(session) + "', 'u-ann', " + now + ", " + now + ", 'test', '127.0.0.1', " + now + ")");
            }
            Await.until(() -> body(server, "chatroom_session=" + session).contains("Signed in with a passkey"), "the session seen");
            annTag = tagOf(body(server, "chatroom_session=" + session));
            assertThat(tagOf(body(server, guestCookie))).isNotEqualTo(annTag);
        }
        Files.delete(dir.resolve("chatroom.secret"));
        try (TestServer server = TestServer.startIn(dir, "--rate", "0", "--new-secret", "true")) {
            String ann = body(server, "chatroom_session=" + session);
            assertThat(ann).contains("Signed in with a passkey").contains("value=\"Ann\"");
            assertThat(tagOf(ann)).isEqualTo(annTag);
            String oldGuest = body(server, guestCookie);
            assertThat(oldGuest).contains("Keep this name");
            assertThat(tagOf(oldGuest)).isNotEqualTo(annTag);
        }
    }

    private static String body(TestServer server, String cookie) {
        try {
            return server.get("/", "Cookie", cookie).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tagOf(String page) {
        int at = page.indexOf("data-me=\"");
        return page.substring(at + 9, page.indexOf('"', at + 9));
    }

    private static String hash(String sessionId) throws Exception {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.US_ASCII)));
    }
}
