package chatroom.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The idle scenario: open N connections spread over rooms, hold them with the page's keep-alive
 * ("ping" every 25 s, spread evenly over the interval) and measure what the server pays per idle
 * connection in resident memory. Sockets are bound to several source addresses (127.0.0.1..K) when
 * the server is on loopback, so the client's ports never run out.
 *
 * <p>All connections share one listener that only counts; the ping ticker runs on the calling
 * thread. The client's own open-file limit (20,000 here) caps N at about 19,900.
 */
final class IdleScenario {

    static final String USAGE = """
            idle: hold N idle connections with pings; server RSS per connection
              --url TEMPLATE          WebSocket URL, {room} replaced by the room name (required)
              --connections N         connections (1000)
              --rooms R               rooms the connections are spread over (N/100, at least 1)
              --source-addresses K    bind to 127.0.0.1..127.0.0.K when the server is on loopback (4)
              --source-from F         ... or to 127.0.0.F..127.0.0.(F+K-1) (1), so that several clients share no ports
              --connects-in-flight N  handshakes in flight at once (200)
              --settle 10s            wait after connecting before reading RSS
              --hold 30s              keep the connections (pinging) after that
              --hold-until-eof        instead: hold until standard input ends (cluster-idle's workers)
              --ping-interval 25s     each connection sends "ping" this often
              --room-prefix P         (idle-)
              --pid N[,N]             server process(es)
              --threads N             client event loops (number of cores)
            """;

    private static final byte[] PONG = "pong".getBytes(StandardCharsets.US_ASCII);

    private final String url;
    private final int connections;
    private final int rooms;
    private final int sourceAddresses;
    private final int sourceFrom;
    private final boolean holdUntilEof;
    private final int connectsInFlight;
    private final Duration settle;
    private final Duration hold;
    private final Duration pingInterval;
    private final String roomPrefix;
    private final ServerProcess server;
    private final int threads;

    private final LongAdder pongs = new LongAdder();
    private final LongAdder otherFrames = new LongAdder();
    private final LongAdder closes = new LongAdder();
    private volatile boolean closing;
    private long heldNanos;

    IdleScenario(BenchOptions options) {
        this.url = options.required("url");
        this.connections = options.integer("connections", 1000);
        this.rooms = options.integer("rooms", Math.max(1, connections / 100));
        this.sourceAddresses = options.integer("source-addresses", 4);
        this.sourceFrom = options.integer("source-from", 1);
        this.holdUntilEof = options.has("hold-until-eof");
        this.connectsInFlight = options.integer("connects-in-flight", 200);
        this.settle = options.duration("settle", Duration.ofSeconds(10));
        this.hold = options.duration("hold", Duration.ofSeconds(30));
        this.pingInterval = options.duration("ping-interval", Duration.ofSeconds(25));
        this.roomPrefix = options.string("room-prefix", "idle-");
        this.server = ServerProcess.of(options.pids("pid"));
        this.threads = options.integer("threads", Runtime.getRuntime().availableProcessors());
        options.rejectUnknown();
    }

    Report run() throws Exception {
        WsClientPool.Listener counter = new WsClientPool.Listener() {
            @Override
            public void text(Channel channel, ByteBuf content) {
                if (content.readableBytes() == PONG.length && content.toString(StandardCharsets.US_ASCII).equals("pong")) {
                    pongs.increment();
                } else {
                    otherFrames.increment();
                }
            }

            @Override
            public void closed(Channel channel) {
                if (!closing) {
                    closes.increment();
                }
            }
        };
        List<Channel> open = new ArrayList<>(connections);
        try (WsClientPool pool = new WsClientPool(threads)) {
            long rssBeforeKb = server.rssKb();
            Connector connector = new Connector(pool, connectsInFlight);
            List<InetAddress> sources = sourceAddressesFor(URI.create(url.replace("{room}", "x")));
            long connectStart = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                URI uri = URI.create(url.replace("{room}", roomPrefix + (i % rooms)));
                InetAddress source = sources.isEmpty() ? null : sources.get(i % sources.size());
                connector.connect(uri, source, counter, channel -> {
                    synchronized (open) {
                        open.add(channel);
                    }
                });
            }
            connector.awaitAll();
            double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
            FanoutScenario.sleepNanos(settle.toNanos());
            long rssSettledKb = server.rssKb();
            double cpuStart = server.cpuSeconds();
            long pingsSent = holdWithPings(open);
            double cpuEnd = server.cpuSeconds();
            long rssHeldKb = server.rssKb();
            long clientRssKb = ServerProcess.self().rssKb();
            long pongDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            FanoutScenario.waitUntil(() -> pongs.sum() >= pingsSent || System.nanoTime() > pongDeadline);
            closing = true;
            List<ChannelFuture> closed = new ArrayList<>();
            synchronized (open) {
                open.forEach(channel -> closed.add(WsClientPool.close(channel)));
            }
            closed.forEach(ChannelFuture::syncUninterruptibly);
            return report(connector, connectSeconds, rssBeforeKb, rssSettledKb, rssHeldKb, cpuEnd - cpuStart, pingsSent, clientRssKb);
        }
    }

    /** Pings each connection once per interval, connection i in slot i mod (interval in seconds). */
    private long holdWithPings(List<Channel> open) throws InterruptedException {
        List<Channel> snapshot;
        synchronized (open) {
            snapshot = new ArrayList<>(open);
        }
        int slots = (int) Math.max(1, pingInterval.toSeconds());
        long pings = 0;
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicBoolean inputEnded = new java.util.concurrent.atomic.AtomicBoolean();
        if (holdUntilEof) {
            Thread reader = new Thread(() -> {
                try {
                    System.in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException e) {
                    // a broken pipe ends the hold as EOF does
                }
                inputEnded.set(true);
            }, "bench-hold-until-eof");
            reader.setDaemon(true);
            reader.start();
        }
        System.err.println("idle: holding " + snapshot.size() + " connections");
        long holdNanos = holdUntilEof ? Long.MAX_VALUE / 4 : hold.toNanos();
        for (int tick = 0; System.nanoTime() - start < holdNanos && !inputEnded.get(); tick++) {
            for (int i = tick % slots; i < snapshot.size(); i += slots) {
                if (snapshot.get(i).isActive()) {
                    WsClientPool.send(snapshot.get(i), "ping");
                    pings++;
                }
            }
            long nextTick = start + (tick + 1) * 1_000_000_000L;
            long until = Math.min(nextTick, start + holdNanos);
            while (!inputEnded.get() && System.nanoTime() < until) {
                FanoutScenario.sleepNanos(Math.min(50_000_000L, Math.max(0, until - System.nanoTime())));
            }
        }
        heldNanos = System.nanoTime() - start;
        return pings;
    }

    private List<InetAddress> sourceAddressesFor(URI uri) throws UnknownHostException {
        List<InetAddress> sources = new ArrayList<>();
        if ((sourceAddresses > 1 || sourceFrom > 1) && InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
            if (sourceFrom < 1 || sourceFrom + sourceAddresses - 1 > 254) {
                throw new IllegalArgumentException("--source-from " + sourceFrom + " with --source-addresses " + sourceAddresses
                        + " leaves 127.0.0.1-127.0.0.254");
            }
            for (int k = sourceFrom; k < sourceFrom + sourceAddresses; k++) {
                sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) k}));
            }
        }
        return sources;
    }

    private Report report(Connector connector, double connectSeconds, long rssBeforeKb, long rssSettledKb, long rssHeldKb,
            double holdCpuSeconds, long pingsSent, long clientRssKb) {
        int opened = connector.opened();
        Report report = new Report("idle")
                .put("url", url).put("connections", connections).put("rooms", rooms)
                .put("opened", opened).put("failures", connector.failures()).put("first_failure", connector.firstFailure())
                .put("connect_s", Report.round(connectSeconds, 3))
                .put("connects_per_s", Report.round(opened / connectSeconds, 1))
                .put("hold_s", Report.round(heldNanos / 1e9, 1))
                .put("pings_sent", pingsSent).put("pongs_received", pongs.sum())
                .put("other_frames", otherFrames.sum()).put("unexpected_closes", closes.sum());
        Map<String, Object> serverFigures = new LinkedHashMap<>();
        serverFigures.put("rss_kb_before", rssBeforeKb);
        serverFigures.put("rss_kb_after_settle", rssSettledKb);
        serverFigures.put("rss_kb_after_hold", rssHeldKb);
        serverFigures.put("rss_kb_per_connection", Report.round((rssSettledKb - rssBeforeKb) / (double) opened, 2));
        serverFigures.put("rss_kb_per_connection_after_hold", Report.round((rssHeldKb - rssBeforeKb) / (double) opened, 2));
        serverFigures.put("hold_cpu_s", Report.round(holdCpuSeconds, 2));
        report.put("server", server.known() ? serverFigures : null);
        report.put("client_rss_kb", clientRssKb);
        report.say(String.format("idle: %d of %d connections opened in %.1f s (%.0f/s), %d failed%s",
                        opened, connections, connectSeconds, opened / connectSeconds, connector.failures(),
                        connector.failures() > 0 ? " (first: " + connector.firstFailure() + ")" : ""))
                .say(String.format("  held %.0f s: %d pings, %d pongs, %d unexpected closes",
                        heldNanos / 1e9, pingsSent, pongs.sum(), closes.sum()))
                .say(server.known()
                        ? String.format("  server RSS %d -> %d KB after settle (%.2f KB/connection), %d KB after hold; %.2f CPU-s while holding",
                                rssBeforeKb, rssSettledKb, (rssSettledKb - rssBeforeKb) / (double) opened, rssHeldKb, holdCpuSeconds)
                        : "  server RSS: not measured (no --pid)");
        return report;
    }
}
