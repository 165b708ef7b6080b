package chatroom.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scenario drives and measures: one or more server nodes, each a WebSocket URL template and,
 * when it runs on this machine, its process; and in cluster mode the Redis and PostgreSQL server
 * processes the nodes share, whose CPU counts with theirs (a message costs a PUBLISH and a row, not
 * only a node's work). Either given (--url, --pid, --redis-pid, --postgres-pid) or started by the
 * bench ({@link LocalCluster}, --nodes), in which case closing this stops and cleans them up.
 *
 * <p>Built and closed by the scenario's thread; {@link #cpu} may be called from any thread.
 */
final class Targets implements AutoCloseable {

    static final String USAGE = """
            the server(s), for fanout and cluster-idle (idle and join take one --url and --pid):
              --url T[,T...]          WebSocket URL template(s), {room} replaced by the room name; several = nodes of
                                      one cluster, members spread round-robin over them
              --pid N[,N]             server process(es): one per --url for per-node figures, or any number summed
              --redis-pid N           redis-server of the cluster: its CPU counts with the nodes'
              --postgres-pid N        the postmaster of the cluster's PostgreSQL: its whole process tree counts
            """ + LocalCluster.USAGE;

    /** CPU seconds so far of everything measured; NaN where a process is unknown. */
    record CpuReading(double[] nodes, double[] nodesJit, double redis, double postgres, Map<Long, Double> ownBackends) {}

    private final List<String> urlTemplates;
    private final List<ServerProcess> nodes;
    private final ServerProcess redis;
    private final ServerProcess postgres;
    private final LocalCluster cluster;
    private final String mode;

    private Targets(List<String> urlTemplates, List<ServerProcess> nodes, ServerProcess redis, ServerProcess postgres,
            LocalCluster cluster, String mode) {
        this.urlTemplates = urlTemplates;
        this.nodes = nodes;
        this.redis = redis;
        this.postgres = postgres;
        this.cluster = cluster;
        this.mode = mode;
    }

    /** Reads --url and friends, or starts nodes for --nodes; call before the scenario's other flags are checked. */
    static Targets from(BenchOptions options) throws Exception {
        if (options.has("nodes")) {
            if (options.has("url") || options.has("pid")) {
                throw new IllegalArgumentException("give either --nodes (the bench starts them) or --url/--pid (nodes already running)");
            }
            LocalCluster cluster = LocalCluster.start(options);
            try {
                List<String> urls = cluster.nodes().stream().map(LocalCluster.Node::urlTemplate).toList();
                List<ServerProcess> processes = cluster.nodes().stream()
                        .map(node -> ServerProcess.of(List.of(node.process().pid()))).toList();
                ServerProcess redis = cluster.clustered() ? ServerProcess.tree(cluster.redisPid()) : ServerProcess.of(List.of());
                ServerProcess postgres = cluster.clustered() ? ServerProcess.tree(cluster.postgresPid()) : ServerProcess.of(List.of());
                String mode = cluster.clustered() ? "cluster " + urls.size() + " node(s)" : "embedded SQLite, 1 node";
                return new Targets(urls, processes, redis, postgres, cluster, mode);
            } catch (Exception | Error e) {
                cluster.close();
                throw e;
            }
        }
        List<String> urls = Arrays.asList(options.required("url").split(","));
        List<Long> pids = options.pids("pid");
        List<ServerProcess> processes = new ArrayList<>();
        if (urls.size() > 1 && pids.size() == urls.size()) {
            pids.forEach(pid -> processes.add(ServerProcess.of(List.of(pid))));
        } else if (urls.size() > 1 && !pids.isEmpty()) {
            throw new IllegalArgumentException("--url names " + urls.size() + " nodes and --pid " + pids.size()
                    + " processes; give one pid per node, or none");
        } else {
            processes.add(ServerProcess.of(pids));
            for (int i = 1; i < urls.size(); i++) {
                processes.add(ServerProcess.of(List.of()));
            }
        }
        List<Long> redisPid = options.pids("redis-pid");
        List<Long> postgresPid = options.pids("postgres-pid");
        return new Targets(urls, processes,
                redisPid.isEmpty() ? ServerProcess.of(List.of()) : ServerProcess.tree(redisPid.getFirst()),
                postgresPid.isEmpty() ? ServerProcess.of(List.of()) : ServerProcess.tree(postgresPid.getFirst()),
                null, urls.size() > 1 ? "given, " + urls.size() + " nodes" : "given");
    }

    int nodeCount() {
        return urlTemplates.size();
    }

    String urlTemplate(int node) {
        return urlTemplates.get(node);
    }

    String urls() {
        return String.join(",", urlTemplates);
    }

    String mode() {
        return mode;
    }

    /** How the nodes were set up, for the report: mode, and the database and key prefix the bench made for them. */
    Map<String, Object> setup() {
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("mode", mode);
        setup.put("database", cluster == null ? null : cluster.databaseName());
        setup.put("redis_prefix", cluster == null ? null : cluster.redisPrefix());
        return setup;
    }

    /**
     * Per room whose name starts with {@code roomPrefix}: messages in the store and the highest seq, read
     * before the run's database is dropped; null when the bench did not start the cluster.
     */
    Map<String, Object> storedMessages(String roomPrefix) {
        if (cluster == null || !cluster.clustered()) {
            return null;
        }
        try {
            return cluster.storedMessages(roomPrefix);
        } catch (java.sql.SQLException e) {
            System.err.println("bench: cannot count the stored messages: " + e.getMessage());
            return null;
        }
    }

    ServerProcess node(int i) {
        return nodes.get(i);
    }

    /** Whether the nodes' CPU is known (every node's process given or started). */
    boolean nodesKnown() {
        return nodes.stream().allMatch(ServerProcess::known);
    }

    /** Resident memory of all nodes together, or -1 when unknown. */
    long rssKb() {
        if (!nodesKnown()) {
            return -1;
        }
        return nodes.stream().mapToLong(ServerProcess::rssKb).sum();
    }

    CpuReading cpu() {
        double[] perNode = nodes.stream().mapToDouble(ServerProcess::cpuSeconds).toArray();
        double[] perNodeJit = nodes.stream().mapToDouble(ServerProcess::jitCpuSeconds).toArray();
        Map<Long, Double> own = new LinkedHashMap<>();
        if (cluster != null && cluster.clustered()) {
            try {
                for (long pid : cluster.ownBackends()) {
                    own.put(pid, ServerProcess.cpuSecondsIfAlive(pid));
                }
            } catch (java.sql.SQLException e) {
                System.err.println("bench: cannot list this run's PostgreSQL backends: " + e.getMessage());
            }
        }
        return new CpuReading(perNode, perNodeJit, redis.cpuSeconds(), postgres.cpuSeconds(), own);
    }

    /**
     * The CPU spent between two readings, per part and in total, and per delivered message: {@code
     * nodes_cpu_s}, {@code redis_cpu_s}, {@code postgres_cpu_s} (the whole server, other databases'
     * work included), {@code postgres_own_backends_cpu_s} (only the backends serving this run's
     * database, those present at the end: leaves out the server's shared WAL writer and checkpointer),
     * {@code total_cpu_s} and {@code total_us_per_message}; {@code nodes_jit_cpu_s}, the part of the nodes'
     * CPU spent by their JIT compiler threads, and {@code total_without_jit_us_per_message}, the total
     * without it (null when the nodes' threads cannot be read).
     */
    Map<String, Object> cpuFigures(CpuReading start, CpuReading end, long messages) {
        Map<String, Object> figures = new LinkedHashMap<>();
        double nodesCpu = 0;
        double nodesJit = 0;
        List<Object> perNode = new ArrayList<>();
        for (int i = 0; i < start.nodes().length; i++) {
            double used = end.nodes()[i] - start.nodes()[i];
            nodesCpu += used;
            nodesJit += end.nodesJit()[i] - start.nodesJit()[i];
            perNode.add(Report.round(used, 2));
        }
        double redisCpu = end.redis() - start.redis();
        double postgresCpu = end.postgres() - start.postgres();
        double own = 0;
        for (Map.Entry<Long, Double> backend : end.ownBackends().entrySet()) {
            // a backend that is new since the start (the pool grows on demand) did all its work inside the window
            double before = start.ownBackends().getOrDefault(backend.getKey(), 0.0);
            if (!backend.getValue().isNaN() && !Double.isNaN(before)) {
                own += backend.getValue() - before;
            }
        }
        double total = nodesCpu + (Double.isNaN(redisCpu) ? 0 : redisCpu) + (Double.isNaN(postgresCpu) ? 0 : postgresCpu);
        figures.put("mode", mode);
        figures.put("nodes_cpu_s", Report.round(nodesCpu, 2));
        figures.put("per_node_cpu_s", perNode);
        figures.put("redis_cpu_s", Report.round(redisCpu, 2));
        figures.put("postgres_cpu_s", Report.round(postgresCpu, 2));
        figures.put("postgres_own_backends_cpu_s", end.ownBackends().isEmpty() ? null : Report.round(own, 2));
        figures.put("postgres_own_backends", end.ownBackends().isEmpty() ? null : end.ownBackends().size());
        figures.put("total_cpu_s", Report.round(total, 2));
        figures.put("nodes_us_per_message", Report.round(nodesCpu * 1e6 / messages, 3));
        figures.put("total_us_per_message", Report.round(total * 1e6 / messages, 3));
        figures.put("nodes_jit_cpu_s", Double.isNaN(nodesJit) ? null : Report.round(nodesJit, 2));
        figures.put("total_without_jit_us_per_message",
                Double.isNaN(nodesJit) ? null : Report.round((total - nodesJit) * 1e6 / messages, 3));
        figures.put("total_own_us_per_message", end.ownBackends().isEmpty() ? null
                : Report.round((nodesCpu + (Double.isNaN(redisCpu) ? 0 : redisCpu) + own) * 1e6 / messages, 3));
        return figures;
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
