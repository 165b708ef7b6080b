package chatroom.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The join scenario: fill a room with messages, then have new clients join it at a fixed rate and
 * time each join from the start of its TCP connect until the room's recent history (this run's
 * markers, --history of them) has arrived on the new socket; then close it. Measures what a page
 * load costs the server: handshake, membership, history read and render.
 *
 * <p>The reference servers keep no history, so against them every join times out; that is the
 * expected answer, not a bench fault. Joins are started from the calling thread; each join's
 * listener runs on its event loop and records into one synchronized histogram (a few hundred joins
 * per second).
 */
final class JoinScenario {

    static final String USAGE = """
            join: fill a room, then clients join at a fixed rate; time until the history has arrived
              --url TEMPLATE     WebSocket URL, {room} replaced by the room name (required)
              --room NAME        room to fill and join (join-<run id>)
              --history N        markers a join waits for (50; Chatroom sends up to 50 on join)
              --fill N           messages sent before the joins (history + 10)
              --join-rate N/s    joins started per second (200/s)
              --duration 10s     how long joins are started
              --join-timeout 10s a join not complete by then counts as timed out
              --pid N[,N]        server process(es)
              --threads N        client event loops (number of cores)
            """;

    private final String url;
    private final MarkerScanner markers = new MarkerScanner(MarkerScanner.newRunId());
    private final URI roomUri;
    private final int history;
    private final int fill;
    private final double joinsPerSecond;
    private final Duration duration;
    private final Duration joinTimeout;
    private final ServerProcess server;
    private final int threads;

    private final LatencyHistogram joinLatency = new LatencyHistogram();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();

    JoinScenario(BenchOptions options) {
        this.url = options.required("url");
        this.roomUri = URI.create(url.replace("{room}", options.string("room", "join-" + markers.runId())));
        this.history = options.integer("history", 50);
        this.fill = options.integer("fill", history + 10);
        this.joinsPerSecond = options.rate("join-rate", 200);
        this.duration = options.duration("duration", Duration.ofSeconds(10));
        this.joinTimeout = options.duration("join-timeout", Duration.ofSeconds(10));
        this.server = ServerProcess.of(options.pids("pid"));
        this.threads = options.integer("threads", Runtime.getRuntime().availableProcessors());
        options.rejectUnknown();
    }

    Report run() throws Exception {
        try (WsClientPool pool = new WsClientPool(threads)) {
            fillRoom(pool);
            long rssBeforeKb = server.rssKb();
            double cpuStart = server.cpuSeconds();
            List<Join> joins = new ArrayList<>();
            long start = System.nanoTime();
            double nanosPerJoin = 1e9 / joinsPerSecond;
            for (long k = 0; ; k++) {
                long due = start + (long) (k * nanosPerJoin);
                if (due - start >= duration.toNanos()) {
                    break;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                Join join = new Join();
                joins.add(join);
                join.start(pool);
            }
            double startedSeconds = (System.nanoTime() - start) / 1e9;
            long deadline = System.nanoTime() + joinTimeout.toNanos();
            FanoutScenario.waitUntil(() -> completed.sum() + failed.sum() >= joins.size() || System.nanoTime() > deadline);
            double cpuEnd = server.cpuSeconds();
            long rssAfterKb = server.rssKb();
            for (Join join : joins) {
                join.abandon();
            }
            return report(joins.size(), startedSeconds, cpuEnd - cpuStart, rssBeforeKb, rssAfterKb);
        }
    }

    /** Sends --fill messages one at a time, each after the previous came back (so each is stored). */
    private void fillRoom(WsClientPool pool) throws Exception {
        CompletableFuture<Void> filled = new CompletableFuture<>();
        MarkerScanner.Sink[] own = new MarkerScanner.Sink[1];
        Channel[] filler = new Channel[1];
        long[] received = new long[1];
        own[0] = (sender, n, sentNanos) -> {
            if (++received[0] < fill) {
                WsClientPool.send(filler[0], markers.frame(0, received[0], 0));
            } else {
                filled.complete(null);
            }
        };
        WsClientPool.Listener listener = (channel, content) -> markers.scan(content, own[0]);
        filler[0] = pool.connect(roomUri, null, listener).get(30, TimeUnit.SECONDS);
        WsClientPool.send(filler[0], markers.frame(0, 0, 0));
        try {
            filled.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(roomUri + ": only " + received[0] + " of " + fill + " fill messages came back within 60 s", e);
        }
        WsClientPool.close(filler[0]).syncUninterruptibly();
    }

    private Report report(int attempted, double startedSeconds, double cpuSeconds, long rssBeforeKb, long rssAfterKb) {
        long timedOut = attempted - completed.sum() - failed.sum();
        Map<String, Object> latency;
        synchronized (joinLatency) {
            latency = joinLatency.summaryMillis();
        }
        Report report = new Report("join")
                .put("url", roomUri.toString()).put("run_id", markers.runId())
                .put("history", history).put("fill", fill)
                .put("join_rate_target_per_s", joinsPerSecond)
                .put("joins_started", attempted)
                .put("joins_started_per_s", Report.round(attempted / startedSeconds, 1))
                .put("completed", completed.sum()).put("failed", failed.sum()).put("timed_out", timedOut)
                .put("join_latency_ms", latency);
        Map<String, Object> serverFigures = new LinkedHashMap<>();
        serverFigures.put("cpu_s", Report.round(cpuSeconds, 2));
        serverFigures.put("cpu_ms_per_join", completed.sum() == 0 ? null : Report.round(cpuSeconds * 1e3 / completed.sum(), 3));
        serverFigures.put("rss_kb_before", rssBeforeKb);
        serverFigures.put("rss_kb_after", rssAfterKb);
        report.put("server", server.known() ? serverFigures : null);
        report.say(String.format("join: %d joins at %.0f/s into %s: %d complete, %d failed, %d timed out",
                        attempted, attempted / startedSeconds, roomUri, completed.sum(), failed.sum(), timedOut))
                .say(completed.sum() == 0
                        ? "  no join saw " + history + " history markers (a server without history never completes one)"
                        : String.format("  connect to %d history markers: p50 %s ms, p90 %s, p99 %s, max %s",
                                history, latency.get("p50"), latency.get("p90"), latency.get("p99"), latency.get("max")))
                .say(server.known()
                        ? String.format("  server %.2f CPU-s (%s ms per join); RSS %d -> %d KB",
                                cpuSeconds, serverFigures.get("cpu_ms_per_join"), rssBeforeKb, rssAfterKb)
                        : "  server CPU/RSS: not measured (no --pid)");
        return report;
    }

    /** One join: counts this run's markers on its socket until the history is complete. */
    private final class Join implements WsClientPool.Listener, MarkerScanner.Sink {
        private long startNanos;
        private int seen;
        private volatile boolean finished;
        private volatile Channel channel;

        void start(WsClientPool pool) {
            startNanos = System.nanoTime();
            pool.connect(roomUri, null, this).whenComplete((opened, failure) -> {
                if (failure != null) {
                    finished = true;
                    failed.increment();
                } else {
                    channel = opened;
                }
            });
        }

        @Override
        public void text(Channel channel, ByteBuf content) {
            if (finished) {
                return;
            }
            markers.scan(content, this);
            if (seen >= history) {
                long elapsedNanos = System.nanoTime() - startNanos;
                finished = true;
                synchronized (joinLatency) {
                    joinLatency.record(elapsedNanos);
                }
                completed.increment();
                WsClientPool.close(channel);
            }
        }

        @Override
        public void marker(int sender, long n, long sentNanos) {
            seen++;
        }

        /** Closes the socket of a join still open at the end (timed out). */
        void abandon() {
            Channel open = channel;
            if (open != null && open.isOpen()) {
                WsClientPool.close(open).syncUninterruptibly();
            }
        }
    }
}
