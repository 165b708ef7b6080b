package chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CPU read from /proc: a process tree counts its descendants, the live ones and those already gone; a JVM's JIT share apart. */
class ServerProcessTest {

    @Test
    void a_tree_counts_the_cpu_of_a_child_that_has_already_exited() throws Exception {
        // the shell only waits; its child spins for a second and exits (reaped: its time moves to the shell's cutime)
        Process shell = new ProcessBuilder("sh", "-c", "timeout 1 sh -c 'while :; do :; done'; exec sleep 60").start();
        try {
            ServerProcess tree = ServerProcess.tree(shell.pid());
            ServerProcess alone = ServerProcess.of(List.of(shell.pid()));
            Await.until(() -> "sleep".equals(ServerProcess.commandOf(shell.pid())) ? true : null,
                    "the spinning child to end", Duration.ofSeconds(60));

            assertThat(tree.cpuSeconds()).isGreaterThan(0.05);
            assertThat(alone.cpuSeconds()).isLessThan(tree.cpuSeconds() - 0.04);
            assertThat(tree.treeSize()).isEqualTo(1);
        } finally {
            shell.destroyForcibly();
        }
    }

    @Test
    void a_tree_counts_its_live_children() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "sh -c 'while :; do :; done' & wait").start();
        try {
            ServerProcess tree = ServerProcess.tree(shell.pid());
            Await.until(() -> tree.treeSize() == 2 && tree.cpuSeconds() > 0.05 ? true : null,
                    "the spinning child to have used some CPU", Duration.ofSeconds(60));

            assertThat(ServerProcess.of(List.of(shell.pid())).cpuSeconds()).isLessThan(tree.cpuSeconds());
        } finally {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
        }
    }

    @Test
    void the_jit_compilers_share_of_a_jvm_is_counted_apart_and_a_process_without_them_has_none() throws Exception {
        ServerProcess jvm = ServerProcess.of(List.of(ProcessHandle.current().pid())); // this one has been compiling tests
        assertThat(jvm.jitCpuSeconds()).isPositive().isLessThan(jvm.cpuSeconds());

        Process shell = new ProcessBuilder("sh", "-c", "timeout 1 sh -c 'while :; do :; done'; exec sleep 60").start();
        try {
            ServerProcess spinner = ServerProcess.of(List.of(shell.pid()));
            assertThat(spinner.jitCpuSeconds()).isZero();
        } finally {
            shell.destroyForcibly();
        }
    }
}
