package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the identity secret comes from: a file made once, safely, or one given from outside. */
class IdentitiesSecretTest {

    @TempDir
    Path dir;

    /** True when a cookie issued by {@code a} is accepted by {@code b}: the two share a secret. */
    private static boolean accepts(Identities b, Identities a) {
        Identity ann = a.renamed(a.newGuest(), "ann");
        String cookie = a.setCookie(ann, false);
        String value = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
        Identity back = b.fromCookie(value);
        return !back.issued() && back.userId().equals(ann.userId());
    }

    @Test
    void a_missing_secret_file_is_created_readable_by_its_owner_only_and_reused_after() throws IOException {
        Path file = dir.resolve("sub/chatroom.secret");

        Identities first = Identities.withSecretFile(file, java.time.Duration.ofDays(400));
        Identities second = Identities.withSecretFile(file, java.time.Duration.ofDays(400));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).matches("[0-9a-f]{64}\n");
        assertThat(accepts(second, first)).isTrue();
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }
    }

    @Test
    void several_starting_at_once_end_with_one_secret_that_all_of_them_use() throws Exception {
        Path file = dir.resolve("chatroom.secret");
        int starters = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(starters);
        try {
            List<Future<Identities>> started = new ArrayList<>();
            for (int i = 0; i < starters; i++) {
                started.add(pool.submit((Callable<Identities>) () -> {
                    go.await();
                    return Identities.withSecretFile(file, java.time.Duration.ofDays(400));
                }));
            }
            go.countDown();
            List<Identities> all = new ArrayList<>();
            for (Future<Identities> f : started) {
                all.add(f.get());
            }

            for (Identities each : all) {
                assertThat(accepts(each, all.get(0))).isTrue();
            }
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).containsExactly(file);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void two_processes_starting_at_once_end_with_one_secret_that_both_use() throws Exception {
        Path file = dir.resolve("chatroom.secret");
        String startAt = Long.toString(System.currentTimeMillis() + 2000); // after both JVMs are up
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-cp", System.getProperty("java.class.path"), SecretFileStarter.class.getName(),
                            file.toString(), startAt)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start());
        }
        List<String> cookies = new ArrayList<>();
        for (Process p : processes) {
            cookies.add(new String(p.getInputStream().readAllBytes()).trim());
            assertThat(p.waitFor()).isZero();
        }

        // each cookie carries its issue time, so compare what matters: the file's secret accepts both
        Identities fromFile = Identities.withSecretFile(file, java.time.Duration.ofDays(400));
        for (String cookie : cookies) {
            assertThat(cookie).startsWith("chatroom_id=");
            Identity back = fromFile.fromCookie(cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';')));
            assertThat(back.issued()).as("%s signed with the file's secret", cookie).isFalse();
            assertThat(back.userId()).isEqualTo("user-1");
        }
        assertThat(accepts(Identities.withSecretFile(file, java.time.Duration.ofDays(400)), Identities.withSecretFile(file, java.time.Duration.ofDays(400)))).isTrue();
    }

    @Test
    void a_secret_given_from_outside_is_used_as_is_so_nodes_given_the_same_one_agree() throws IOException {
        byte[] shared = new byte[32];
        shared[0] = 1;
        byte[] other = new byte[32];
        other[0] = 2;
        Path file = dir.resolve("unused.secret");

        Identities nodeA = Identities.load(shared, file, false, java.time.Duration.ofDays(400));
        Identities nodeB = Identities.load(shared.clone(), file, false, java.time.Duration.ofDays(400));

        assertThat(accepts(nodeB, nodeA)).isTrue();
        assertThat(accepts(Identities.withSecret(other, java.time.Duration.ofDays(400)), nodeA)).isFalse();
        assertThat(file).doesNotExist();
        assertThatThrownBy(() -> Identities.withSecret(new byte[16], java.time.Duration.ofDays(400)))
                .hasMessage("identity secret is 16 bytes; at least 32 are needed");
    }

    @Test
    void a_cluster_node_reads_the_shared_secret_file_and_never_creates_one() throws IOException {
        Path file = dir.resolve("shared.secret");

        assertThatThrownBy(() -> Identities.load(null, file, false, java.time.Duration.ofDays(400)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("never makes one up");
        assertThat(file).doesNotExist();

        Identities single = Identities.load(null, file, true, java.time.Duration.ofDays(400)); // a single node creates it…
        assertThat(accepts(Identities.load(null, file, false, java.time.Duration.ofDays(400)), single)).isTrue(); // …and a cluster node reads it
    }

    @Test
    void a_damaged_secret_file_is_refused_naming_the_file() throws IOException {
        Path file = dir.resolve("bad.secret");
        Files.writeString(file, "not hex at all");

        assertThatThrownBy(() -> Identities.withSecretFile(file, java.time.Duration.ofDays(400)))
                .isInstanceOf(IOException.class)
                .hasMessage(file + ": the secret is not hex; expected 64 hex digits");
    }
}
