package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The benchmarks measure the server as {@code ./chatroom run} starts it, so their JVM settings must be the same. */
class RunJvmOptionsTest {

    @Test
    void the_cluster_bench_starts_its_nodes_with_the_settings_of_chatroom_run() throws Exception {
        assertThat(LocalCluster.RUN_JVM_OPTIONS).isEqualTo(output("./chatroom", "java-opts"));
    }

    @Test
    void this_jvm_accepts_every_one_of_those_settings() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(LocalCluster.RUN_JVM_OPTIONS.split(" ")));
        command.add("-version");

        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(said).isZero();
    }

    private static String output(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
