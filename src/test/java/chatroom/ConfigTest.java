package chatroom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    @Test
    void defaults_need_nothing_set() {
        Config config = Config.parse(new String[0], Map.of());
        assertThat(config.listen().port()).isEqualTo(8080);
        assertThat(config.limits().maxMessageChars()).isEqualTo(2000);
        assertThat(config.limits().maxFrameBytes()).isEqualTo(16 * 1024);
        assertThat(config.rooms().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.store().db()).isEqualTo(Path.of("chatroom.db"));
        assertThat(config.identity().secretFile().getFileName()).isEqualTo(Path.of("chatroom.secret"));
    }

    @Test
    void flags_win_over_environment_variables_which_win_over_defaults() {
        Config config = Config.parse(new String[] {"--port", "9001", "--room-idle=5m"},
                Map.of("CHATROOM_PORT", "9000", "CHATROOM_MAX_MESSAGE_CHARS", "500"));
        assertThat(config.listen().port()).isEqualTo(9001);
        assertThat(config.limits().maxMessageChars()).isEqualTo(500);
        assertThat(config.rooms().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
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
    void the_room_churn_limits_default_to_the_heap_and_generous_address_rates_and_zero_turns_each_off() {
        Config config = Config.defaults();
        assertThat(config.limits().maxRooms()).isEqualTo(Config.MAX_ROOMS_AUTO);
        assertThat(config.limits().upgradesPerIp().perSecond()).isEqualTo(10.0);
        assertThat(config.limits().upgradesPerIp().burst()).isEqualTo(100);
        assertThat(config.limits().newRoomsPerIp().perSecond()).isEqualTo(1.0);
        assertThat(config.limits().newRoomsPerIp().burst()).isEqualTo(60);
        Config off = Config.parse(new String[] {"--max-rooms", "0", "--upgrades-per-ip", "0", "--new-rooms-per-ip", "0"},
                Map.of("CHATROOM_MAX_ROOMS", "500"));
        assertThat(off.limits().maxRooms()).isZero();
        assertThat(off.limits().upgradesPerIp().perSecond()).isZero();
        assertThat(off.limits().newRoomsPerIp().perSecond()).isZero();
        assertThat(Config.parse(new String[0], Map.of("CHATROOM_MAX_ROOMS", "500")).limits().maxRooms()).isEqualTo(500);
        assertThatThrownBy(() -> Config.parse(new String[] {"--max-rooms", "lots"}, Map.of()))
                .hasMessage("--max-rooms is 'lots'; expected auto or a number from 0 to 100000000");
        assertThatThrownBy(() -> Config.parse(new String[] {"--new-rooms-per-ip", "-1"}, Map.of()))
                .hasMessage("--new-rooms-per-ip is -1; expected a number from 0.0 to 1.0E9");
    }

    @Test
    void the_flood_limits_have_defaults_a_person_never_meets_and_refuse_negative_values() {
        Config config = Config.defaults();
        assertThat(config.limits().userMessages().perSecond()).isEqualTo(5.0);
        assertThat(config.limits().ipMessages().perSecond()).isGreaterThan(config.limits().userMessages().perSecond());
        assertThat(config.limits().frames().perSecond()).isGreaterThan(1.0 / 25); // the page pings every 25 s
        assertThat(config.limits().renamesPerMinute()).isEqualTo(5);
        assertThatThrownBy(() -> Config.parse(new String[] {"--renames-per-minute", "-1"}, Map.of()))
                .hasMessage("--renames-per-minute is -1; expected a number from 0 to 1000000");
        assertThatThrownBy(() -> Config.parse(new String[] {"--ip-rate", "NaN"}, Map.of()))
                .hasMessageStartingWith("--ip-rate is NaN; expected a number");
    }

    private static final String SECRET_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    @Test
    void without_database_and_redis_it_is_one_embedded_node() {
        Config config = Config.defaults();
        assertThat(config.clusterMode()).isFalse();
        assertThat(config.cluster().database().value()).isEmpty();
        assertThat(config.cluster().redis().value()).isEmpty();
        assertThat(config.cluster().redisPrefix()).isEqualTo("chatroom");
        assertThat(config.cluster().tailCheck()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.cluster().drain()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.cluster().nodeId()).matches("\\S+-[0-9a-f]{4}");
        assertThat(config.identity().sharedSecret()).isEmpty();
    }

    @Test
    void a_cluster_node_takes_both_urls_its_node_id_and_the_shared_secret_from_the_environment() {
        Config config = Config.parse(new String[] {"--node-id", "web-1", "--tail-check=2s", "--redis-prefix", "chat:prod"},
                Map.of("CHATROOM_DATABASE", "jdbc:postgresql://db.internal:5432/chat?user=chat",
                        "CHATROOM_REDIS", "redis://cache.internal:6379/2",
                        "CHATROOM_SECRET", SECRET_HEX));
        assertThat(config.clusterMode()).isTrue();
        assertThat(config.cluster().database().value()).isEqualTo("jdbc:postgresql://db.internal:5432/chat?user=chat");
        assertThat(config.cluster().redis().value()).isEqualTo("redis://cache.internal:6379/2");
        assertThat(config.cluster().redisPrefix()).isEqualTo("chat:prod");
        assertThat(config.cluster().nodeId()).isEqualTo("web-1");
        assertThat(config.cluster().tailCheck()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.identity().sharedSecret()).get().extracting(Config.Secret::bytes).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.BYTE_ARRAY).hasSize(32);
    }

    @Test
    void a_postgresql_url_becomes_a_jdbc_url_with_user_and_password_as_parameters() {
        assertThat(Config.database("postgresql://db:5432/chat?user=chat&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/chat?user=chat&ssl=true");
        assertThat(Config.database("postgres://chat:s3cret@db/chat"))
                .isEqualTo("jdbc:postgresql://db/chat?user=chat&password=s3cret");
        assertThat(Config.database("")).isEmpty();
    }

    @Test
    void malformed_urls_are_refused_naming_the_setting_the_value_and_the_expected_form_without_passwords() {
        assertThatThrownBy(() -> Config.database("mysql://db/chat"))
                .hasMessage("--database is 'mysql://db/chat'; expected postgresql://HOST:PORT/DB?user=… or"
                        + " jdbc:postgresql://HOST:PORT/DB?user=…");
        assertThatThrownBy(() -> Config.database("postgresql://chat:s3cret@db")) // no database name
                .hasMessageStartingWith("--database is 'postgresql://chat:***@db'");
        assertThatThrownBy(() -> Config.database("jdbc:postgresql://db/chat?user=u&password=s3cret x"))
                .hasMessageStartingWith("--database is 'jdbc:postgresql://db/chat?user=u&password=***'");
        assertThatThrownBy(() -> Config.redis("localhost:6379"))
                .hasMessage("--redis is 'localhost:6379'; expected redis://HOST:PORT[/db] or rediss://HOST:PORT[/db]");
        assertThatThrownBy(() -> Config.redis("redis://:s3cret@cache:6379/zero"))
                .hasMessageStartingWith("--redis is 'redis://:***@cache:6379/zero'");
        assertThat(Config.redis("rediss://:pw@cache.example.com:6380/1")).isEqualTo("rediss://:pw@cache.example.com:6380/1");
        assertThat(Config.redis("redis://127.0.0.1")).isEqualTo("redis://127.0.0.1");
    }

    @Test
    void cluster_mode_needs_both_database_and_redis() {
        assertThatThrownBy(() -> Config.parse(new String[] {"--database", "postgresql://db/chat"},
                        Map.of("CHATROOM_SECRET", SECRET_HEX)))
                .hasMessage("cluster mode needs both --database and --redis; only --database is set");
        assertThatThrownBy(() -> Config.parse(new String[] {"--redis", "redis://cache:6379"}, Map.of()))
                .hasMessage("cluster mode needs both --database and --redis; only --redis is set");
    }

    @Test
    void a_cluster_node_without_the_shared_secret_is_refused(@TempDir Path dir) throws Exception {
        String[] cluster = {"--database", "postgresql://db/chat", "--redis", "redis://cache:6379",
                "--secret-file", dir.resolve("missing.secret").toString()};
        assertThatThrownBy(() -> Config.parse(cluster, Map.of()))
                .hasMessageStartingWith("a cluster node needs the identity secret that every node shares")
                .hasMessageContaining("missing.secret does not exist");

        java.nio.file.Files.writeString(dir.resolve("missing.secret"), SECRET_HEX + "\n");
        assertThat(Config.parse(cluster, Map.of()).clusterMode()).isTrue(); // the file will do
    }

    @Test
    void the_secret_in_the_environment_is_hex_or_base64_of_at_least_32_bytes_and_never_shown() {
        byte[] bytes = new byte[32];
        bytes[31] = 7;
        assertThat(Config.secret(java.util.Base64.getEncoder().encodeToString(bytes)).orElseThrow().bytes()).isEqualTo(bytes);
        assertThat(Config.secret(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes))
                .orElseThrow().bytes()).isEqualTo(bytes);
        assertThat(Config.secret(SECRET_HEX).orElseThrow().bytes()).hasSize(32);
        assertThatThrownBy(() -> Config.secret("00112233"))
                .hasMessage("CHATROOM_SECRET is 4 bytes once decoded; expected at least 32 (e.g. openssl rand -hex 32)");
        assertThatThrownBy(() -> Config.secret("not a secret!"))
                .hasMessageStartingWith("CHATROOM_SECRET is neither hex nor base64")
                .hasMessageNotContaining("not a secret!");
        Config config = Config.parse(new String[0], Map.of("CHATROOM_SECRET", SECRET_HEX,
                "CHATROOM_DATABASE", "postgresql://u:pw@db/chat", "CHATROOM_REDIS", "redis://:pw@cache"));
        assertThat(config.toString()).doesNotContain(SECRET_HEX, "pw@", "password=pw").contains("Secret[32 bytes]");
    }

    @Test
    void cluster_durations_and_names_are_checked() {
        assertThatThrownBy(() -> Config.parse(new String[] {"--tail-check", "0s"}, Map.of()))
                .hasMessage("--tail-check is '0s'; expected a duration above 0");
        assertThatThrownBy(() -> Config.parse(new String[] {"--node-id", "web 1"}, Map.of()))
                .hasMessage("--node-id is 'web 1'; expected 1–100 characters without spaces");
        assertThatThrownBy(() -> Config.parse(new String[] {"--drain", "later"}, Map.of()))
                .hasMessageContaining("--drain is 'later'; expected a duration");
        assertThatThrownBy(() -> Config.parse(new String[] {"CHATROOM_SECRET", "x"}, Map.of()))
                .hasMessage("unknown option CHATROOM_SECRET; see --help");
    }

    @Test
    void presence_timings_default_to_a_two_second_heartbeat_and_can_be_shortened_from_flags_or_environment() {
        assertThat(Config.defaults().cluster().presence()).isEqualTo(
                new Config.Presence(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(5)));
        Config config = Config.parse(new String[] {"--presence-heartbeat", "500ms", "--presence-node-timeout=3s"},
                Map.of("CHATROOM_PRESENCE_SWEEP", "1s"));
        assertThat(config.cluster().presence()).isEqualTo(
                new Config.Presence(Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(1)));
    }

    @Test
    void a_node_timeout_too_close_to_the_heartbeat_is_refused() {
        // a live node whose heartbeat is slowed by Redis would be declared dead and its users shown leaving
        assertThatThrownBy(() -> Config.parse(new String[] {"--presence-heartbeat", "2s", "--presence-node-timeout", "5s"}, Map.of()))
                .hasMessage("--presence-node-timeout is 5000ms; with --presence-heartbeat 2000ms it must be at least 6000ms "
                        + "(twice the heartbeat plus 2s), or live nodes would be declared dead");
        assertThatThrownBy(() -> Config.parse(new String[] {"--presence-sweep", "0s"}, Map.of()))
                .hasMessage("--presence-sweep is '0s'; expected a duration above 0");
    }

    @Test
    void help_lists_every_flag_with_its_environment_variable() {
        String help = Config.help();
        assertThat(help).contains("--port", "CHATROOM_PORT", "--max-message-chars", "--max-frame-bytes", "--room-idle",
                "--db", "--allowed-origins", "--send-queue-bytes", "--database", "CHATROOM_DATABASE", "--redis",
                "--redis-prefix", "--tail-check", "--node-id", "--drain", "CHATROOM_SECRET", "--presence-heartbeat",
                "CHATROOM_PRESENCE_NODE_TIMEOUT", "--presence-sweep");
    }

    @Test
    void trusted_proxies_are_addresses_or_ranges_never_names() {
        Config config = Config.parse(new String[] {"--trusted-proxies", "127.0.0.1, 10.0.0.0/8,fd00::/8"}, Map.of());
        assertThat(config.listen().trustedProxies()).containsExactly("127.0.0.1", "10.0.0.0/8", "fd00::/8");
        assertThatThrownBy(() -> Config.parse(new String[] {"--trusted-proxies", "proxy.internal"}, Map.of()))
                .hasMessageStartingWith("--trusted-proxies has 'proxy.internal'; expected IP addresses or CIDR ranges");
        assertThatThrownBy(() -> Config.parse(new String[] {"--trusted-proxies", "10.0.0.0/33"}, Map.of()))
                .hasMessageStartingWith("--trusted-proxies has '10.0.0.0/33'");
    }

    @Test
    void ipv6_clients_are_grouped_by_a_64_unless_told_a_prefix_from_32_to_128() {
        assertThat(Config.defaults().limits().ipv6PrefixBits()).isEqualTo(64);
        assertThat(Config.parse(new String[] {"--ipv6-prefix", "48"}, Map.of()).limits().ipv6PrefixBits()).isEqualTo(48);
        assertThat(Config.parse(new String[0], Map.of("CHATROOM_IPV6_PREFIX", "128")).limits().ipv6PrefixBits()).isEqualTo(128);
        assertThatThrownBy(() -> Config.parse(new String[] {"--ipv6-prefix", "31"}, Map.of()))
                .hasMessage("--ipv6-prefix is 31; expected a number from 32 to 128");
        assertThatThrownBy(() -> Config.parse(new String[] {"--ipv6-prefix", "/64"}, Map.of()))
                .hasMessage("--ipv6-prefix is '/64'; expected a number from 32 to 128");
        assertThat(Config.help()).contains("--ipv6-prefix", "CHATROOM_IPV6_PREFIX");
    }

    @Test
    void a_public_url_is_a_scheme_and_host_without_a_path() {
        assertThat(Config.parse(new String[] {"--public-url", "HTTPS://Chat.Example.org/"}, Map.of()).listen().publicUrl())
                .isEqualTo("https://chat.example.org");
        assertThatThrownBy(() -> Config.parse(new String[] {"--public-url", "https://chat.example.org/rooms"}, Map.of()))
                .hasMessageStartingWith("--public-url is 'https://chat.example.org/rooms'; expected a scheme and host");
        assertThat(Config.parse(new String[] {"--cookie-max-age", "400d"}, Map.of()).identity().cookieMaxAge())
                .isEqualTo(Duration.ofDays(400));
    }

    @Test
    void retention_keeps_everything_unless_told_an_age_or_a_count_per_room() {
        Config defaults = Config.defaults();
        assertThat(defaults.retention().keep()).isEmpty();
        assertThat(defaults.retention().keepPerRoom()).isZero();
        Config config = Config.parse(new String[] {"--keep", "90d", "--keep-per-room", "10000"},
                Map.of("CHATROOM_PRUNE_EVERY", "1m"));
        assertThat(config.retention().keep()).contains(Duration.ofDays(90));
        assertThat(config.retention().keepPerRoom()).isEqualTo(10_000);
        assertThat(config.retention().pruneEvery()).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> Config.parse(new String[] {"--keep", "0s"}, Map.of()))
                .hasMessage("--keep is '0s'; expected forever or a duration of at least 1s, such as 90d or 12h");
        assertThatThrownBy(() -> Config.parse(new String[] {"--keep-per-room", "0"}, Map.of()))
                .hasMessage("--keep-per-room is '0'; expected all or a number of messages of at least 1, such as 10000");
        assertThatThrownBy(() -> Config.parse(new String[] {"--keep", "three months"}, Map.of()))
                .hasMessageStartingWith("--keep is 'three months'; expected a duration");
    }

    @Test
    void the_metrics_listener_is_off_unless_given_a_port_and_binds_loopback_by_default() {
        Config off = Config.parse(new String[0], Map.of());
        assertThat(off.metrics().port()).isEqualTo(Config.METRICS_OFF);
        assertThat(off.metrics().host()).isEqualTo("127.0.0.1");
        assertThat(off.logFormat()).isEqualTo("text");
        Config on = Config.parse(new String[] {"--metrics-port", "9464"}, Map.of("CHATROOM_LOG_FORMAT", "JSON"));
        assertThat(on.metrics().port()).isEqualTo(9464);
        assertThat(on.logFormat()).isEqualTo("json");
        assertThatThrownBy(() -> Config.parse(new String[] {"--metrics-port", "99999"}, Map.of()))
                .hasMessage("--metrics-port is 99999; expected a number from 0 to 65535");
        assertThatThrownBy(() -> Config.parse(new String[] {"--log-format", "xml"}, Map.of()))
                .hasMessage("--log-format is 'xml'; expected one of text, json");
    }

    @Test
    void the_store_timeout_is_five_seconds_by_default_and_must_be_above_zero() {
        assertThat(Config.defaults().store().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(Config.parse(new String[] {"--store-timeout", "2s"}, Map.of()).store().timeout())
                .isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> Config.parse(new String[] {"--store-timeout", "0s"}, Map.of()))
                .hasMessage("--store-timeout is '0s'; expected a duration above 0");
    }
}
