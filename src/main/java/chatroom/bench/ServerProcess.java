package chatroom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The server under test seen through /proc: CPU time (utime + stime) and resident memory of one or
 * more processes (seed-worker runs as several workerd processes, so their figures are summed). The
 * bench runs on the same machine as the server; with no pid given every reading is absent and the
 * report leaves the server figures out rather than inventing them.
 *
 * <p>Stateless apart from the pid list; safe to call from any thread.
 */
final class ServerProcess {

    /** USER_HZ: /proc reports CPU time in clock ticks, 100 per second on every Linux we run on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final List<String> procDirs;

    private ServerProcess(List<String> procDirs) {
        this.procDirs = procDirs;
    }

    static ServerProcess of(List<Long> pids) {
        return new ServerProcess(pids.stream().map(pid -> "/proc/" + pid).toList());
    }

    /** The bench process itself, to show whether the client was the bottleneck. */
    static ServerProcess self() {
        return new ServerProcess(List.of("/proc/self"));
    }

    boolean known() {
        return !procDirs.isEmpty();
    }

    /** Total CPU seconds used so far (user + system), or NaN when unknown. */
    double cpuSeconds() {
        if (!known()) {
            return Double.NaN;
        }
        long ticks = 0;
        for (String dir : procDirs) {
            String stat = read(dir + "/stat");
            // fields after the command name, which is in parentheses and may itself hold spaces
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** Resident set size in KiB (VmRSS), or -1 when unknown. */
    long rssKb() {
        if (!known()) {
            return -1;
        }
        long kb = 0;
        for (String dir : procDirs) {
            for (String line : read(dir + "/status").split("\n")) {
                if (line.startsWith("VmRSS:")) {
                    kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return kb;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalStateException(file + ": cannot read (" + e.getMessage() + "); is the --pid right?", e);
        }
    }
}
