package chatroom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/DEPLOY.md shows the nginx site that BehindNginxTest runs, not a copy that could drift from it. */
class DeployDocTest {

    @Test
    void the_documented_nginx_site_is_the_tested_one_word_for_word() throws Exception {
        String site;
        try (InputStream in = DeployDocTest.class.getResourceAsStream("/deploy/nginx-chatroom.conf")) {
            assertThat(in).as("src/test/resources/deploy/nginx-chatroom.conf").isNotNull();
            site = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String doc = Files.readString(Path.of("docs/DEPLOY.md"));
        assertThat(doc)
                .as("docs/DEPLOY.md quotes src/test/resources/deploy/nginx-chatroom.conf in a ```nginx block")
                .contains("```nginx\n" + site + "```\n");
    }

    @Test
    void the_documented_single_sign_on_site_is_the_tested_one_word_for_word() throws Exception {
        String site;
        try (InputStream in = DeployDocTest.class.getResourceAsStream("/deploy/nginx-chatroom-sso.conf")) {
            assertThat(in).as("src/test/resources/deploy/nginx-chatroom-sso.conf").isNotNull();
            site = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(Path.of("docs/DEPLOY.md")))
                .as("docs/DEPLOY.md quotes src/test/resources/deploy/nginx-chatroom-sso.conf in a ```nginx block")
                .contains("```nginx\n" + site + "```\n");
    }
}
