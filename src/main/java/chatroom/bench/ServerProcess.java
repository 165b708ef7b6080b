package chatroom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The server under test seen through /proc: CPU time (utime + stime) and resident memory of one or
 * more processes (seed-worker runs as several workerd processes, so their figures are summed). The
 * bench runs on the same machine as the server; with no pid given every reading is absent and the
 * report leaves the server figures out rather than inventing them.
 *
 * <p>A {@linkplain #tree process tree} (PostgreSQL: the postmaster and one backend per connection)
 * is read whole at each reading: every live descendant's own time, plus each process's time of the
 * children it has already reaped (cutime + cstime), so a backend that exits inside the measured
 * window still counts.
 *
 * <p>Stateless apart from the pid list; safe to call from any thread.
 */
final class ServerProcess {

    /** USER_HZ: /proc reports CPU time in clock ticks, 100 per second on every Linux we run on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final List<String> procDirs;
    private final List<Long> treeRoots;

    private ServerProcess(List<String> procDirs, List<Long> treeRoots) {
        this.procDirs = procDirs;
        this.treeRoots = treeRoots;
    }

    static ServerProcess of(List<Long> pids) {
        return new ServerProcess(pids.stream().map(pid -> "/proc/" + pid).toList(), List.of());
    }

    /** A process and all its descendants, found afresh at each reading. */
    static ServerProcess tree(long rootPid) {
        return new ServerProcess(List.of(), List.of(rootPid));
    }

    /** The bench process itself, to show whether the client was the bottleneck. */
    static ServerProcess self() {
        return new ServerProcess(List.of("/proc/self"), List.of());
    }

    /** The first (or only) process, for handing on to another process's --pid. */
    long pid() {
        if (procDirs.isEmpty()) {
            return treeRoots.getFirst();
        }
        return Long.parseLong(procDirs.getFirst().substring("/proc/".length()));
    }

    boolean known() {
        return !procDirs.isEmpty() || !treeRoots.isEmpty();
    }

    /** Total CPU seconds used so far (user + system), or NaN when unknown. */
    double cpuSeconds() {
        if (!known()) {
            return Double.NaN;
        }
        long ticks = 0;
        for (String dir : procDirs) {
            String[] fields = statFields(read(dir + "/stat"));
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
        }
        for (long root : treeRoots) {
            ticks += treeTicks(root);
        }
        return ticks / TICKS_PER_SECOND;
    }

    /**
     * CPU seconds used so far by the JVM's JIT compiler threads (HotSpot names them "C1 CompilerThre…",
     * "C2 CompilerThre…") of the listed processes, or NaN when unknown. A fresh JVM still compiles while
     * it carries the load; N nodes compile the same code N times, which says nothing about the per-message
     * work of a warm cluster, so the cluster figures also show the CPU without it.
     */
    double jitCpuSeconds() {
        if (procDirs.isEmpty()) {
            return Double.NaN;
        }
        long ticks = 0;
        for (String dir : procDirs) {
            String[] tasks = new java.io.File(dir + "/task").list();
            for (String task : tasks == null ? new String[0] : tasks) {
                String comm = readIfPresent(dir + "/task/" + task + "/comm");
                String stat = comm != null && comm.startsWith("C") && comm.contains("CompilerThre")
                        ? readIfPresent(dir + "/task/" + task + "/stat")
                        : null;
                if (stat != null) {
                    String[] fields = statFields(stat);
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                }
            }
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** How many processes the trees hold now (1 for a lone process). */
    int treeSize() {
        int size = procDirs.size();
        for (long root : treeRoots) {
            size += descendants(root, parents()).size() + 1;
        }
        return size;
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

    /** CPU seconds of one process, or NaN when it is gone (for processes that may come and go). */
    static double cpuSecondsIfAlive(long pid) {
        String stat = readIfPresent("/proc/" + pid + "/stat");
        if (stat == null) {
            return Double.NaN;
        }
        String[] fields = statFields(stat);
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    /** The parent of a process, or -1 when it is gone. */
    static long parentOf(long pid) {
        String stat = readIfPresent("/proc/" + pid + "/stat");
        return stat == null ? -1 : Long.parseLong(statFields(stat)[1]);
    }

    /** The command name of a process (its comm), or null when it is gone. */
    static String commandOf(long pid) {
        String comm = readIfPresent("/proc/" + pid + "/comm");
        return comm == null ? null : comm.strip();
    }

    private static long treeTicks(long root) {
        Map<Long, String[]> stats = new HashMap<>();
        Map<Long, Long> parents = parents(stats);
        List<Long> members = descendants(root, parents);
        members.add(root);
        long ticks = 0;
        for (long pid : members) {
            String[] fields = stats.get(pid);
            if (fields == null) {
                throw new IllegalStateException("/proc/" + root + ": no such process; is the pid right?");
            }
            // utime, stime, and cutime, cstime: children already reaped (fields 14-17)
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
        }
        return ticks;
    }

    private static Map<Long, Long> parents() {
        return parents(new HashMap<>());
    }

    /** Every process's parent, filling stats with each one's fields as read in the same pass. */
    private static Map<Long, Long> parents(Map<Long, String[]> stats) {
        Map<Long, Long> parents = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                String stat = readIfPresent(entry + "/stat");
                if (stat != null) {
                    String[] fields = statFields(stat);
                    long pid = Long.parseLong(name);
                    stats.put(pid, fields);
                    parents.put(pid, Long.parseLong(fields[1]));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("/proc: cannot list processes (" + e.getMessage() + ")", e);
        }
        return parents;
    }

    private static List<Long> descendants(long root, Map<Long, Long> parents) {
        Map<Long, List<Long>> children = new HashMap<>();
        parents.forEach((pid, parent) -> children.computeIfAbsent(parent, p -> new ArrayList<>()).add(pid));
        List<Long> found = new ArrayList<>();
        List<Long> frontier = new ArrayList<>(List.of(root));
        while (!frontier.isEmpty()) {
            List<Long> next = new ArrayList<>();
            for (long pid : frontier) {
                next.addAll(children.getOrDefault(pid, List.of()));
            }
            found.addAll(next);
            frontier = next;
        }
        return found;
    }

    /** The fields after the command name, which is in parentheses and may itself hold spaces: [0] is state. */
    private static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalStateException(file + ": cannot read (" + e.getMessage() + "); is the --pid right?", e);
        }
    }

    /** A /proc file of a process that may exit at any moment: null once it has. */
    private static String readIfPresent(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null; // ESRCH while reading: the process exited between the listing and the read
        }
    }
}
