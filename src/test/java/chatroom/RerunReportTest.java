package chatroom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The end of {@code ./chatroom test}: each test that failed and then passed when Surefire ran it again is
 * named, so that a rerun never hides a flake. Runs {@code ./chatroom reruns} on fixture reports; the
 * flaky one is a report Surefire 3.5 wrote for a test that failed once and errored once.
 */
class RerunReportTest {

    private static final String FAILED_TWICE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuite name="chatroom.example.BrokenTest" tests="2" errors="0" skipped="0" failures="1">
              <testcase name="fails_every_time" classname="chatroom.example.BrokenTest" time="0.1">
                <failure message="no" type="java.lang.AssertionError"><![CDATA[java.lang.AssertionError: no
            ]]></failure>
                <rerunFailure message="no" type="java.lang.AssertionError">
                  <stackTrace><![CDATA[java.lang.AssertionError: no
            ]]></stackTrace>
                </rerunFailure>
              </testcase>
              <testcase name="prints_xml" classname="chatroom.example.BrokenTest" time="0.1">
                <system-out><![CDATA[what a test printed may look like a report:
            <testcase name="not_a_test" classname="chatroom.example.Printed">
              <flakyFailure message="printed, not a rerun"/>
            ]]></system-out>
              </testcase>
            </testsuite>
            """;

    @Test
    void each_test_that_passed_only_on_its_rerun_is_named_on_a_line_of_its_own() throws Exception {
        Path reports = Files.createTempDirectory("reports");
        copyFlakyReport(reports);
        Files.writeString(reports.resolve("TEST-chatroom.example.BrokenTest.xml"), FAILED_TWICE);

        Run run = reruns(reports.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).containsExactly(
                "chatroom: 2 tests failed, then passed when run again (flaky; see its report for the first failure):",
                "chatroom: RERUN chatroom.example.FlakyExampleTest.errors_once_then_passes",
                "chatroom: RERUN chatroom.example.FlakyExampleTest.fails_once_then_passes");
    }

    @Test
    void a_report_from_before_this_run_is_not_this_runs_rerun() throws Exception {
        Path reports = Files.createTempDirectory("reports");
        Path flaky = copyFlakyReport(reports);
        Files.writeString(reports.resolve("TEST-chatroom.example.BrokenTest.xml"), FAILED_TWICE);
        Path started = Files.createFile(reports.resolve("started"));
        Instant now = Instant.now();
        Files.setLastModifiedTime(flaky, FileTime.from(now.minusSeconds(60))); // left by an earlier run
        Files.setLastModifiedTime(started, FileTime.from(now.minusSeconds(30)));

        Run run = reruns(reports.toString(), started.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).containsExactly("chatroom: no test needed a rerun");
    }

    private static Path copyFlakyReport(Path reports) throws Exception {
        Path flaky = reports.resolve("TEST-chatroom.example.FlakyExampleTest.xml");
        try (InputStream in = RerunReportTest.class.getResourceAsStream("reruns/TEST-chatroom.example.FlakyExampleTest.xml")) {
            Files.copy(in, flaky);
        }
        return flaky;
    }

    private record Run(int exitCode, List<String> lines) {}

    private static Run reruns(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("./chatroom", "reruns"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), out.lines().toList());
    }
}
