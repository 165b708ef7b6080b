package chatroom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose identity secret was lost would make every user a new guest without a word: with
 * messages in its database it refuses to start, unless told to make a new secret.
 */
class SecretMissingTest {

    @TempDir
    Path dir;

    @Test
    void a_server_with_messages_but_no_secret_refuses_to_start_unless_told_to_make_a_new_one() throws Exception {
        try (TestServer first = TestServer.startIn(dir);
                WsClient ann = WsClient.connect(first.ws("/r/kept/ws"))) {
            ann.say("remember me");
            ann.awaitMessages(1);
        }
        Path secret = dir.resolve("chatroom.secret");
        assertThat(secret).exists();
        Files.delete(secret);

        assertThatThrownBy(() -> TestServer.startIn(dir))
                .hasMessageContaining("chatroom.secret (the identity secret) is missing")
                .hasMessageContaining("--new-secret true");
        assertThat(secret).doesNotExist();

        try (TestServer again = TestServer.startIn(dir, "--new-secret", "true")) {
            assertThat(again.get("/r/kept").body()).contains("remember me");
            assertThat(secret).exists();
        }
    }

    @Test
    void a_first_start_on_an_empty_database_makes_its_secret_without_being_told() throws Exception {
        try (TestServer fresh = TestServer.startIn(dir)) {
            assertThat(dir.resolve("chatroom.secret")).exists();
            assertThat(fresh.get("/").statusCode()).isEqualTo(200);
        }
    }
}
