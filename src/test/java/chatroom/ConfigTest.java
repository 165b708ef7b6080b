package chatroom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void defaults_need_nothing_set() {
        Config config = Config.parse(new String[0], Map.of());
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.maxMessageChars()).isEqualTo(2000);
        assertThat(config.maxFrameBytes()).isEqualTo(16 * 1024);
        assertThat(config.roomIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.db()).isEqualTo(Path.of("chatroom.db"));
        assertThat(config.secretFile().getFileName()).isEqualTo(Path.of("chatroom.secret"));
    }

    @Test
    void flags_win_over_environment_variables_which_win_over_defaults() {
        Config config = Config.parse(new String[] {"--port", "9001", "--room-idle=5m"},
                Map.of("CHATROOM_PORT", "9000", "CHATROOM_MAX_MESSAGE_CHARS", "500"));
        assertThat(config.port()).isEqualTo(9001);
        assertThat(config.maxMessageChars()).isEqualTo(500);
        assertThat(config.roomIdleTimeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void a_bad_value_is_refused_with_the_setting_the_value_and_what_was_expected() {
        assertThatThrownBy(() -> Config.parse(new String[] {"--port", "eighty"}, Map.of()))
                .hasMessage("--port is 'eighty'; expected a number from 0 to 65535");
        assertThatThrownBy(() -> Config.parse(new String[] {"--room-idle", "soon"}, Map.of()))
                .hasMessageContaining("--room-idle is 'soon'; expected a duration");
        assertThatThrownBy(() -> Config.parse(new String[] {"--colour", "blue"}, Map.of()))
                .hasMessage("unknown option --colour; see --help");
    }

    @Test
    void help_lists_every_flag_with_its_environment_variable() {
        String help = Config.help();
        assertThat(help).contains("--port", "CHATROOM_PORT", "--max-message-chars", "--max-frame-bytes", "--room-idle",
                "--db", "--allowed-origins", "--send-queue-bytes");
    }

    @Test
    void trusted_proxies_are_addresses_or_ranges_never_names() {
        Config config = Config.parse(new String[] {"--trusted-proxies", "127.0.0.1, 10.0.0.0/8,fd00::/8"}, Map.of());
        assertThat(config.trustedProxies()).containsExactly("127.0.0.1", "10.0.0.0/8", "fd00::/8");
        assertThatThrownBy(() -> Config.parse(new String[] {"--trusted-proxies", "proxy.internal"}, Map.of()))
                .hasMessageStartingWith("--trusted-proxies has 'proxy.internal'; expected IP addresses or CIDR ranges");
        assertThatThrownBy(() -> Config.parse(new String[] {"--trusted-proxies", "10.0.0.0/33"}, Map.of()))
                .hasMessageStartingWith("--trusted-proxies has '10.0.0.0/33'");
    }

    @Test
    void a_public_url_is_a_scheme_and_host_without_a_path() {
        assertThat(Config.parse(new String[] {"--public-url", "HTTPS://Chat.Example.org/"}, Map.of()).publicUrl())
                .isEqualTo("https://chat.example.org");
        assertThatThrownBy(() -> Config.parse(new String[] {"--public-url", "https://chat.example.org/rooms"}, Map.of()))
                .hasMessageStartingWith("--public-url is 'https://chat.example.org/rooms'; expected a scheme and host");
        assertThat(Config.parse(new String[] {"--cookie-max-age", "400d"}, Map.of()).cookieMaxAge())
                .isEqualTo(Duration.ofDays(400));
    }
}
