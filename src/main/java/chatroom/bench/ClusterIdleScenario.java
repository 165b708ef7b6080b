package chatroom.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Idle connections on every node of a cluster at once, more than one client process may hold: one
 * {@link IdleScenario} worker process per node (each its own JVM, with its own open-file limit and
 * source addresses) holds M connections to its node and measures that node's resident memory; while
 * all of them hold, a live room with members on every node carries messages ({@link FanoutScenario}),
 * showing that a room spanning the nodes still delivers to everyone, in order, with the idle sockets
 * held. The idle connections' rooms are shared by all workers, so they span the nodes too.
 *
 * <p>Runs on the calling thread; one daemon thread per worker copies its output.
 */
final class ClusterIdleScenario {

    static final String USAGE = """
            cluster-idle: N nodes x M idle connections (one client process per node), and a live room across all nodes
              --connections-per-node M   idle connections held on each node (19900)
              --rooms R                  idle rooms, shared by every node (N x M / 100)
              --source-addresses K       source addresses per worker: worker k binds 127.0.0.(kK+1)..(kK+K) (4)
              --connects-in-flight N     handshakes in flight at once, per worker (100)
              --settle 10s               wait after connecting before each worker reads its node's RSS
              --hold 30s                 how long the live room runs while every idle connection is held
              --ping-interval 25s        each idle connection sends "ping" this often
              --live-members L           members of the live room, spread round-robin over the nodes (30)
              --live-rate N/s            messages per second into the live room, from one sender per node (30/s)
              --worker-jvm-opts "..."    JVM options of each worker (-XX:+UseSerialGC -Xmx1g)
              --connect-timeout 10m      how long the workers may take to connect and settle
            """;

    /**
     * How long the live room waits for its last messages before counting what is missing as lost: ends
     * as soon as everything has arrived, and is long because a loaded machine delays deliveries by
     * seconds, which must not read as loss.
     */
    private static final Duration DRAIN = Duration.ofSeconds(30);
    private static final Pattern HOLDING = Pattern.compile("^idle: holding \\d+ connections");
    private static final Pattern NUMBER = Pattern.compile("\"%s\":(-?[0-9.]+)");

    private final Targets targets;
    private final int perNode;
    private final int rooms;
    private final int sourceAddresses;
    private final int connectsInFlight;
    private final Duration settle;
    private final Duration hold;
    private final Duration pingInterval;
    private final int liveMembers;
    private final double liveRate;
    private final List<String> workerJvmOptions;
    private final Duration connectTimeout;

    ClusterIdleScenario(BenchOptions options, Targets targets) {
        this.targets = targets;
        this.perNode = options.integer("connections-per-node", 19_900);
        this.rooms = options.integer("rooms", Math.max(1, perNode * targets.nodeCount() / 100));
        this.sourceAddresses = options.integer("source-addresses", 4);
        this.connectsInFlight = options.integer("connects-in-flight", 100);
        this.settle = options.duration("settle", Duration.ofSeconds(10));
        this.hold = options.duration("hold", Duration.ofSeconds(30));
        this.pingInterval = options.duration("ping-interval", Duration.ofSeconds(25));
        this.liveMembers = options.integer("live-members", 30);
        this.liveRate = options.rate("live-rate", 30);
        this.workerJvmOptions = List.of(options.string("worker-jvm-opts", "-XX:+UseSerialGC -Xmx1g").trim().split("\\s+"));
        this.connectTimeout = options.duration("connect-timeout", Duration.ofMinutes(10));
        options.rejectUnknown();
        if (!targets.nodesKnown()) {
            throw new IllegalArgumentException("cluster-idle measures each node's memory: give one --pid per --url, or --nodes");
        }
        if (liveMembers < targets.nodeCount()) {
            throw new IllegalArgumentException("--live-members is " + liveMembers + "; the live room needs one on each of the "
                    + targets.nodeCount() + " nodes");
        }
    }

    Report run() throws Exception {
        int nodes = targets.nodeCount();
        CountDownLatch holding = new CountDownLatch(nodes);
        List<Process> workers = new ArrayList<>();
        List<CompletableFuture<String>> jsonLines = new ArrayList<>();
        try {
            for (int k = 0; k < nodes; k++) {
                Process worker = startWorker(k);
                workers.add(worker);
                jsonLines.add(readJsonLine(worker));
                copyErrors(worker, "[idle worker " + (k + 1) + "] ", holding);
            }
            if (!awaitHolding(holding, workers)) {
                throw new IllegalStateException("the idle workers were not all holding their connections within "
                        + connectTimeout.toSeconds() + " s (" + holding.getCount() + " of " + nodes + " not yet)");
            }
            System.err.println("cluster-idle: every worker holds its connections; live room for " + hold.toSeconds() + " s");
            Report live = new FanoutScenario(BenchOptions.parse(
                    "--rooms", "1", "--room-prefix", "live-", "--members", "" + liveMembers, "--senders", "" + nodes,
                    "--rate", liveRate + "/s", "--warmup", "0s", "--duration", hold.toMillis() + "ms", "--settle", "1s",
                    "--drain", DRAIN.toMillis() + "ms",
                    "--threads", "1"), targets).run();
            System.err.print(live.summary());
            for (Process worker : workers) {
                worker.getOutputStream().close(); // the workers' signal to stop holding
            }
            List<String> perNodeJson = new ArrayList<>();
            for (CompletableFuture<String> line : jsonLines) {
                perNodeJson.add(line.get(5, TimeUnit.MINUTES));
            }
            return report(perNodeJson, live);
        } finally {
            for (Process worker : workers) {
                worker.destroy();
            }
        }
    }

    private Process startWorker(int k) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(workerJvmOptions);
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", LocalCluster.absoluteClassPath(),
                "chatroom.bench.Bench", "idle", "--url", targets.urlTemplate(k), "--connections", "" + perNode,
                "--rooms", "" + rooms, "--room-prefix", "idle-", "--source-addresses", "" + sourceAddresses,
                "--source-from", "" + (k * sourceAddresses + 1), "--connects-in-flight", "" + connectsInFlight, "--settle", settle.toMillis() + "ms",
                "--ping-interval", pingInterval.toMillis() + "ms", "--hold-until-eof", "--pid", "" + targets.node(k).pid()));
        return new ProcessBuilder(command).start();
    }

    private boolean awaitHolding(CountDownLatch holding, List<Process> workers) throws InterruptedException {
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        while (!holding.await(1, TimeUnit.SECONDS)) {
            for (int k = 0; k < workers.size(); k++) {
                if (!workers.get(k).isAlive()) {
                    throw new IllegalStateException("idle worker " + (k + 1) + " exited (status " + workers.get(k).exitValue()
                            + ") before holding its connections; see its output above");
                }
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    private static CompletableFuture<String> readJsonLine(Process worker) {
        CompletableFuture<String> json = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("{")) {
                        json.complete(line);
                    }
                }
            } catch (IOException e) {
                json.completeExceptionally(e);
            }
            json.completeExceptionally(new IllegalStateException("idle worker ended without its JSON line"));
        }, "bench-idle-worker-out");
        reader.setDaemon(true);
        reader.start();
        return json;
    }

    private static void copyErrors(Process worker, String prefix, CountDownLatch holding) {
        Thread reader = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(worker.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    System.err.println(prefix + line);
                    if (HOLDING.matcher(line).find()) {
                        holding.countDown();
                    }
                }
            } catch (IOException e) {
                // the worker is gone; its exit is noticed by the waits
            }
        }, "bench-idle-worker-err");
        reader.setDaemon(true);
        reader.start();
    }

    private Report report(List<String> perNodeJson, Report live) {
        Report report = new Report("cluster-idle")
                .put("urls", targets.urls()).put("setup", targets.setup()).put("nodes", targets.nodeCount())
                .put("connections_per_node", perNode).put("rooms", rooms);
        long opened = 0;
        long failures = 0;
        long unanswered = 0;
        List<Object> rssPerConnection = new ArrayList<>();
        List<Object> rssPerConnectionAfterHold = new ArrayList<>();
        for (String json : perNodeJson) {
            opened += (long) number(json, "opened");
            failures += (long) number(json, "failures");
            unanswered += (long) (number(json, "pings_sent") - number(json, "pongs_received"));
            rssPerConnection.add(number(json, "rss_kb_per_connection"));
            rssPerConnectionAfterHold.add(number(json, "rss_kb_per_connection_after_hold"));
        }
        report.put("opened", opened).put("failures", failures).put("pings_unanswered", unanswered)
                .put("rss_kb_per_connection_per_node", rssPerConnection)
                .put("rss_kb_per_connection_per_node_after_hold", rssPerConnectionAfterHold)
                .put("live_room", live)
                .put("per_node", perNodeJson.stream().map(Report.RawJson::new).toList());
        report.say(String.format("cluster-idle: %d nodes, %d of %d idle connections open (%d failed), %d pings unanswered",
                        targets.nodeCount(), opened, (long) perNode * targets.nodeCount(), failures, unanswered))
                .say("  RSS per idle connection per node (KB): " + rssPerConnection + " after settle, "
                        + rssPerConnectionAfterHold + " after the hold")
                .say(String.format("  live room across all nodes: %s delivered of %s expected; lost %s, duplicated %s, out of order %s; "
                                + "cross-node p99 %s ms", live.get("delivered_total"), live.get("expected_total"), live.get("lost"),
                        live.get("duplicated"), live.get("out_of_order"),
                        live.get("latency_cross_node_ms") instanceof java.util.Map<?, ?> m ? m.get("p99") : "-"));
        return report;
    }

    /** One numeric field of a worker's JSON line (flat names are unique in the idle report). */
    private static double number(String json, String field) {
        Matcher m = Pattern.compile(String.format(NUMBER.pattern(), Pattern.quote(field))).matcher(json);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
