package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void reads_durations_rates_and_pid_lists_in_both_flag_forms() {
        BenchOptions options = BenchOptions.parse("--warmup", "500ms", "--duration=2m", "--rate", "200/s", "--pid", "12,34", "--drain", "1.5");

        assertThat(options.duration("warmup", Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
        assertThat(options.duration("duration", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.duration("drain", Duration.ZERO)).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.rate("rate", 0)).isEqualTo(200.0);
        assertThat(options.pids("pid")).isEqualTo(List.of(12L, 34L));
    }

    @Test
    void a_mistyped_flag_fails_the_run_instead_of_being_ignored() {
        BenchOptions options = BenchOptions.parse("--rooms", "2", "--memebrs", "10");
        options.integer("rooms", 1);
        options.integer("members", 100);

        assertThatThrownBy(options::rejectUnknown).hasMessageContaining("memebrs");
    }

    @Test
    void store_scenario_reports_the_real_stores_throughput(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        Report report = Bench.run("store", "--db", dir.resolve("s.db").toString(), "--messages", "2000", "--rooms", "4");

        assertThat(report.toJsonLine()).startsWith("{\"scenario\":\"store\"").contains("\"result\":{");
        assertThat(report.toJsonLine()).containsPattern("\"messages\":2000\\b");
    }
}
