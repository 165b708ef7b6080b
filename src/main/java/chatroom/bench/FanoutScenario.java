package chatroom.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The fan-out scenario: R rooms of C members, S of whom send; every member must receive every
 * message of its room exactly once, in each sender's order. Sends are open loop (a pacer thread
 * keeps a fixed total rate, stamping each message with its scheduled time so a stalled server shows
 * as latency, not as a slower send rate) or closed loop (each sender keeps K messages in flight and
 * sends the next when its own message comes back).
 *
 * <p>State: one {@link Member} per connection, touched only by its event loop (and, for its send
 * counter in open loop, by the pacer thread); per-event-loop {@link ThreadStats}. Rates and latency
 * cover what arrives in the measured window (after warm-up); lost/duplicated/out-of-order cover the
 * whole run. The main thread reads member and thread state only after every connection is closed.
 */
final class FanoutScenario {

    static final String USAGE = """
            fanout: R rooms x C members, S senders per room; every member receives every message of its room
              --rooms R          rooms (1)
              --members C        members per room (100)
              --senders S        senders per room, at most C (default C)
              --rate N/s         open loop: total messages per second over all senders
              --inflight K       closed loop: messages in flight per sender (default 1 when --rate is absent)
              --messages N       stop each sender after N messages (default: the clock decides)
              --warmup 5s --duration 20s --drain 5s --settle 1s
              --room-prefix P    room names are P0, P1, ... (bench-)
              --threads N        client event loops (number of cores)
              --changes true     open loop only: of every 20 frames a sender sends, 16 messages, 2 reactions,
                                 1 edit and 1 deletion of its own recent messages; CPU is then per delivered event
              --typers T         the first T members of each room say they are typing, each every 3 s (as a page
                                 does while someone types); their signals are counted apart from events
            With several nodes, member i of each room connects to node i mod N (senders too), latency is also
            split into same-node and cross-node (sender and receiver on different nodes), and the CPU of every
            node plus Redis and PostgreSQL is counted per delivered message. In closed loop, acked_per_s is the
            rate of messages that came back to their own sender: stored and acknowledged.
            """;

    private static final int CONNECTS_IN_FLIGHT = 200;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long TYPING_EVERY_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final String TYPING_FRAME = "{\"typing\":true}";

    /** Per room, per node. */
    private final List<List<URI>> roomUris = new ArrayList<>();
    private final int members;
    private final int senders;
    private final double ratePerSecond;
    private final int inflight;
    private final long messagesPerSender;
    private final long warmupNanos;
    private final long durationNanos;
    private final Duration drain;
    private final String roomPrefix;
    private final Duration settle;
    private final Targets targets;
    private final int threads;
    private final boolean changes;
    private final int typers;
    /** The node of each sender id, for telling cross-node deliveries from same-node ones. */
    private int[] nodeOfSender;

    private final MarkerScanner markers = new MarkerScanner(MarkerScanner.newRunId());
    private final ConcurrentLinkedQueue<ThreadStats> allStats = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<ThreadStats> statsOfThread = ThreadLocal.withInitial(() -> {
        ThreadStats stats = new ThreadStats();
        allStats.add(stats);
        return stats;
    });
    private final LongAdder sentTotal = new LongAdder();
    private final LongAdder sentInWindow = new LongAdder();
    private final LongAdder deliveredTotal = new LongAdder();
    private final LongAdder closedEarly = new LongAdder();
    private final LongAdder changesSentInWindow = new LongAdder();
    private final LongAdder typingSentInWindow = new LongAdder();
    private final List<Member> allMembers = new ArrayList<>();
    private final List<Member> allSenders = new ArrayList<>();
    private long baseNanos;
    private volatile long windowEndRelNanos;
    private volatile boolean sending;
    private volatile boolean finished;

    FanoutScenario(BenchOptions options, Targets targets) {
        this.targets = targets;
        int rooms = options.integer("rooms", 1);
        String prefix = options.string("room-prefix", "bench-");
        this.roomPrefix = prefix;
        for (int r = 0; r < rooms; r++) {
            List<URI> perNode = new ArrayList<>();
            for (int node = 0; node < targets.nodeCount(); node++) {
                perNode.add(URI.create(targets.urlTemplate(node).replace("{room}", prefix + r)));
            }
            roomUris.add(perNode);
        }
        this.members = options.integer("members", 100);
        this.senders = options.integer("senders", members);
        this.ratePerSecond = options.rate("rate", 0);
        this.inflight = options.integer("inflight", ratePerSecond > 0 ? 0 : 1);
        this.messagesPerSender = options.integer("messages", 0);
        this.warmupNanos = options.duration("warmup", Duration.ofSeconds(5)).toNanos();
        this.durationNanos = options.duration("duration", Duration.ofSeconds(20)).toNanos();
        this.drain = options.duration("drain", Duration.ofSeconds(5));
        this.settle = options.duration("settle", Duration.ofSeconds(1));
        this.threads = options.integer("threads", Runtime.getRuntime().availableProcessors());
        this.changes = options.bool("changes", false);
        this.typers = options.integer("typers", 0);
        options.rejectUnknown();
        if (changes && ratePerSecond <= 0) {
            throw new IllegalArgumentException("--changes needs --rate: a reaction or deletion sends nothing back to wait for");
        }
        if (typers < 0 || typers > members) {
            throw new IllegalArgumentException("--typers is " + typers + "; it must be between 0 and --members (" + members + ")");
        }
        if (senders < 1 || senders > members) {
            throw new IllegalArgumentException("--senders is " + senders + "; it must be between 1 and --members (" + members + ")");
        }
        if ((ratePerSecond > 0) == (inflight > 0)) {
            throw new IllegalArgumentException("give either --rate (open loop) or --inflight (closed loop), not both");
        }
    }

    Report run() throws InterruptedException {
        try (WsClientPool pool = new WsClientPool(threads)) {
            long rssBeforeKb = targets.rssKb();
            connectAll(pool);
            sleepNanos(settle.toNanos());
            baseNanos = System.nanoTime();
            windowEndRelNanos = warmupNanos + durationNanos;
            sending = true;
            Thread pacer = ratePerSecond > 0 ? startPacer() : null;
            Thread typingPacer = typers > 0 ? startTypingPacer() : null;
            if (pacer == null) {
                for (Member sender : allSenders) {
                    sender.channel.eventLoop().execute(() -> {
                        for (int k = 0; k < inflight; k++) {
                            sender.sendNext(relNanos());
                        }
                    });
                }
            }
            waitUntil(() -> relNanos() >= warmupNanos || allQuotasSent());
            long windowStartRel = relNanos();
            Targets.CpuReading cpuStart = targets.cpu();
            double clientCpuStart = ServerProcess.self().cpuSeconds();
            waitUntil(() -> relNanos() >= windowEndRelNanos || allQuotasSent());
            sending = false;
            boolean endedByQuota = relNanos() < windowEndRelNanos;
            if (pacer != null) {
                pacer.join();
            }
            if (typingPacer != null) {
                typingPacer.join();
            }
            long drainDeadline = System.nanoTime() + drain.toNanos();
            waitUntil(() -> deliveredTotal.sum() >= sentTotal.sum() * members || System.nanoTime() >= drainDeadline);
            if (endedByQuota) {
                windowEndRelNanos = relNanos(); // a run cut short by --messages measures up to the end of its drain
            }
            Targets.CpuReading cpuEnd = targets.cpu();
            double clientCpuEnd = ServerProcess.self().cpuSeconds();
            long windowNanos = Math.max(1, Math.min(relNanos(), windowEndRelNanos) - windowStartRel);
            long rssAfterKb = targets.rssKb();
            closeAll();
            return report(windowNanos, cpuStart, cpuEnd, clientCpuEnd - clientCpuStart, rssBeforeKb, rssAfterKb);
        }
    }

    private void connectAll(WsClientPool pool) throws InterruptedException {
        Connector connector = new Connector(pool, CONNECTS_IN_FLIGHT);
        nodeOfSender = new int[roomUris.size() * senders];
        for (int room = 0; room < roomUris.size(); room++) {
            for (int index = 0; index < members; index++) {
                int senderId = index < senders ? room * senders + index : -1;
                int node = index % targets.nodeCount();
                Member member = new Member(room, index, senderId, node);
                allMembers.add(member);
                if (senderId >= 0) {
                    allSenders.add(member);
                    nodeOfSender[senderId] = node;
                }
                connector.connect(roomUris.get(room).get(node), null, member, channel -> member.channel = channel);
            }
        }
        connector.awaitAllOpen();
    }

    private Thread startPacer() {
        Thread pacer = new Thread(() -> {
            long perSenderLimit = messagesPerSender > 0 ? messagesPerSender : Long.MAX_VALUE;
            long totalLimit = perSenderLimit == Long.MAX_VALUE ? Long.MAX_VALUE : perSenderLimit * allSenders.size();
            double nanosPerMessage = 1e9 / ratePerSecond;
            for (long k = 0; sending && k < totalLimit; ) {
                long dueRel = (long) (k * nanosPerMessage);
                long now = relNanos();
                if (dueRel > now) {
                    LockSupport.parkNanos(Math.min(dueRel - now, POLL_NANOS));
                    continue;
                }
                allSenders.get((int) (k % allSenders.size())).sendNext(dueRel);
                k++;
            }
        }, "bench-pacer");
        pacer.setDaemon(true);
        pacer.start();
        return pacer;
    }

    /** Each typer says it is typing every 3 s, the typers of all rooms spread evenly over those 3 s. */
    private Thread startTypingPacer() {
        List<Member> typing = new ArrayList<>();
        for (Member member : allMembers) {
            if (member.index < typers) {
                typing.add(member);
            }
        }
        double nanosPerSignal = TYPING_EVERY_NANOS / (double) typing.size();
        Thread pacer = new Thread(() -> {
            for (long k = 0; sending; ) {
                long dueRel = (long) (k * nanosPerSignal);
                long now = relNanos();
                if (dueRel > now) {
                    LockSupport.parkNanos(Math.min(dueRel - now, POLL_NANOS));
                    continue;
                }
                WsClientPool.send(typing.get((int) (k % typing.size())).channel, TYPING_FRAME);
                if (inWindow(dueRel)) {
                    typingSentInWindow.increment();
                }
                k++;
            }
        }, "bench-typing-pacer");
        pacer.setDaemon(true);
        pacer.start();
        return pacer;
    }

    private boolean allQuotasSent() {
        return messagesPerSender > 0 && sentTotal.sum() >= messagesPerSender * allSenders.size();
    }

    private void closeAll() {
        finished = true;
        List<ChannelFuture> closing = new ArrayList<>();
        for (Member member : allMembers) {
            closing.add(WsClientPool.close(member.channel));
        }
        closing.forEach(ChannelFuture::syncUninterruptibly);
    }

    private Report report(long windowNanos, Targets.CpuReading cpuStart, Targets.CpuReading cpuEnd, double clientCpuSeconds,
            long rssBeforeKb, long rssAfterKb) {
        double serverCpuSeconds = 0;
        for (int i = 0; i < cpuStart.nodes().length; i++) {
            serverCpuSeconds += cpuEnd.nodes()[i] - cpuStart.nodes()[i];
        }
        ThreadStats total = new ThreadStats();
        allStats.forEach(total::add);
        long lost = 0;
        long delivered = 0;
        for (Member member : allMembers) {
            for (int s = 0; s < senders; s++) {
                long sent = allSenders.get(member.room * senders + s).sent;
                lost += sent - member.seenCount[s];
                delivered += member.seenCount[s];
            }
        }
        double seconds = windowNanos / 1e9;
        long events = total.messagesInWindow + total.changesInWindow; // every stored event that reached a member
        Report report = new Report("fanout");
        report.put("url", targets.urls()).put("nodes", targets.nodeCount()).put("setup", targets.setup()).put("run_id", markers.runId())
                .put("mode", ratePerSecond > 0 ? "open" : "closed")
                .put("rate_target_per_s", ratePerSecond > 0 ? ratePerSecond : null)
                .put("inflight_per_sender", inflight > 0 ? inflight : null)
                .put("rooms", roomUris.size()).put("members_per_room", members).put("senders_per_room", senders)
                .put("connections", allMembers.size())
                .put("warmup_s", warmupNanos / 1e9).put("measured_s", Report.round(seconds, 3))
                .put("sent_per_s", Report.round(sentInWindow.sum() / seconds, 1))
                .put("frames_delivered_per_s", Report.round(total.framesInWindow / seconds, 1))
                .put("messages_delivered_per_s", Report.round(total.messagesInWindow / seconds, 1))
                .put("changes", changes).put("typers_per_room", typers)
                .put("changes_sent_per_s", Report.round(changesSentInWindow.sum() / seconds, 1))
                .put("changes_delivered_per_s", Report.round(total.changesInWindow / seconds, 1))
                .put("events_delivered_per_s", Report.round(events / seconds, 1))
                .put("typing_sent_per_s", Report.round(typingSentInWindow.sum() / seconds, 1))
                .put("typing_delivered_per_s", Report.round(total.typingInWindow / seconds, 1))
                .put("latency_ms", total.latency.summaryMillis())
                .put("latency_same_node_ms", targets.nodeCount() > 1 ? total.latencySameNode.summaryMillis() : null)
                .put("latency_cross_node_ms", targets.nodeCount() > 1 ? total.latencyCrossNode.summaryMillis() : null)
                .put("acked_per_s", Report.round(total.acksInWindow / seconds, 1))
                .put("sent_total", sentTotal.sum())
                .put("expected_total", sentTotal.sum() * members)
                .put("delivered_total", delivered)
                .put("lost", lost).put("duplicated", total.duplicates).put("out_of_order", total.outOfOrder)
                .put("misrouted", total.misrouted)
                .put("not_sent", total.notSent)
                .put("closed_early", closedEarly.sum())
                .put("delivered_after_window", total.deliveredAfterWindow)
                .put("acked_after_window", total.acksAfterWindow)
                .put("per_sender", perSender())
                .put("stored", targets.storedMessages(roomPrefix));
        Map<String, Object> serverFigures = new LinkedHashMap<>();
        serverFigures.put("cpu_s", Report.round(serverCpuSeconds, 2));
        serverFigures.put("cpu_s_per_million_messages", Report.round(serverCpuSeconds / (total.messagesInWindow / 1e6), 3));
        serverFigures.put("us_per_message", Report.round(serverCpuSeconds * 1e6 / total.messagesInWindow, 3));
        serverFigures.put("us_per_event", Report.round(serverCpuSeconds * 1e6 / events, 3));
        serverFigures.put("us_per_frame", Report.round(serverCpuSeconds * 1e6 / total.framesInWindow, 3));
        serverFigures.put("rss_kb_before", rssBeforeKb < 0 ? null : rssBeforeKb);
        serverFigures.put("rss_kb_after", rssAfterKb < 0 ? null : rssAfterKb);
        boolean measured = targets.nodesKnown();
        report.put("server", measured ? serverFigures : null);
        Map<String, Object> cpu = measured ? targets.cpuFigures(cpuStart, cpuEnd, events) : null;
        report.put("cpu", cpu);
        report.put("client_cpu_s", Report.round(clientCpuSeconds, 2));
        Map<String, Object> latency = total.latency.summaryMillis();
        report.say(String.format("fanout %s: %d rooms x %d members, %d senders/room, %.1f s measured",
                        ratePerSecond > 0 ? "open loop " + ratePerSecond + " msg/s" : "closed loop, " + inflight + " in flight/sender",
                        roomUris.size(), members, senders, seconds))
                .say(String.format("  sent %.0f msg/s; delivered %.0f msg/s in %.0f frames/s",
                        sentInWindow.sum() / seconds, total.messagesInWindow / seconds, total.framesInWindow / seconds))
                .say(String.format("  latency ms p50 %s p90 %s p99 %s p99.9 %s max %s",
                        latency.get("p50"), latency.get("p90"), latency.get("p99"), latency.get("p99_9"), latency.get("max")))
                .say(targets.nodeCount() > 1
                        ? String.format("  same node p50 %s p99 %s; cross node p50 %s p99 %s",
                                total.latencySameNode.summaryMillis().get("p50"), total.latencySameNode.summaryMillis().get("p99"),
                                total.latencyCrossNode.summaryMillis().get("p50"), total.latencyCrossNode.summaryMillis().get("p99"))
                        : "  one node: every delivery is on the sender's node")
                .say(changes || typers > 0
                        ? String.format("  changes sent %.0f/s, delivered %.0f/s; typing signals sent %.0f/s, delivered %.0f/s",
                                changesSentInWindow.sum() / seconds, total.changesInWindow / seconds,
                                typingSentInWindow.sum() / seconds, total.typingInWindow / seconds)
                        : "  messages only")
                .say(String.format("  acknowledged (own message back) %.0f/s; %d \"not sent\" errors", total.acksInWindow / seconds, total.notSent))
                .say(String.format("  lost %d, duplicated %d, out of order %d, misrouted %d (of %d expected); %d connections closed early",
                        lost, total.duplicates, total.outOfOrder, total.misrouted, sentTotal.sum() * members, closedEarly.sum()))
                .say(cpuLine(cpu))
                .say(measured
                        ? String.format("  server %.2f CPU-s = %.3f us/message, %.3f us/event, %.3f CPU-s per million; RSS %d -> %d KB; client %.2f CPU-s",
                                serverCpuSeconds, serverCpuSeconds * 1e6 / total.messagesInWindow, serverCpuSeconds * 1e6 / events,
                                serverCpuSeconds / (total.messagesInWindow / 1e6), rssBeforeKb, rssAfterKb, clientCpuSeconds)
                        : "  server CPU/RSS: not measured (no --pid)");
        return report;
    }

    /** The summary's line for every server process's CPU: nodes, and Redis and PostgreSQL when measured. */
    private static String cpuLine(Map<String, Object> cpu) {
        if (cpu == null) {
            return "  server CPU: not measured";
        }
        String backing = cpu.get("redis_cpu_s") instanceof Double redis && redis.isNaN()
                ? ""
                : String.format(" + Redis %s + PostgreSQL %s (own backends %s)", cpu.get("redis_cpu_s"), cpu.get("postgres_cpu_s"),
                        cpu.get("postgres_own_backends_cpu_s"));
        String jit = cpu.get("nodes_jit_cpu_s") == null
                ? ""
                : String.format("; the nodes' JIT compilers %s CPU-s, without them %s us", cpu.get("nodes_jit_cpu_s"),
                        cpu.get("total_without_jit_us_per_message"));
        return String.format("  %s: nodes %s%s = %s CPU-s, %s us per delivered event%s", cpu.get("mode"), cpu.get("nodes_cpu_s"),
                backing, cpu.get("total_cpu_s"), cpu.get("total_us_per_message"), jit);
    }

    /** Chatroom tells a sender alone, in the composer's error line, that a message was not sent or a change refused. */
    private static boolean isRefusal(ByteBuf content) {
        return content.toString(java.nio.charset.StandardCharsets.UTF_8).contains("id=\"composer-error\"");
    }

    /** Chatroom tells a sender alone that its message could not be stored; no marker comes back for it. */
    private static boolean isNotSentError(ByteBuf content) {
        return content.toString(java.nio.charset.StandardCharsets.UTF_8).contains("was not sent");
    }

    private long relNanos() {
        return System.nanoTime() - baseNanos;
    }

    private boolean inWindow(long relNanos) {
        return relNanos >= warmupNanos && relNanos < windowEndRelNanos;
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /**
     * Each sender's node, messages sent, and how many came back to it in all (the window and the drain):
     * a sender whose messages do not come back points at its node.
     */
    private List<Map<String, Object>> perSender() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Member member : allMembers) {
            if (member.senderId >= 0) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("sender", member.senderId);
                one.put("node", member.node);
                one.put("sent", member.sent);
                one.put("back", member.seenCount[member.senderId % senders]);
                list.add(one);
            }
        }
        return list;
    }

    static void sleepNanos(long nanos) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanos);
    }

    /** Counters of one receiving event loop; merged after all connections are closed. */
    private static final class ThreadStats {
        final LatencyHistogram latency = new LatencyHistogram();
        final LatencyHistogram latencySameNode = new LatencyHistogram();
        final LatencyHistogram latencyCrossNode = new LatencyHistogram();
        long framesInWindow;
        long acksInWindow;
        long notSent;
        long messagesInWindow;
        /** Changes to shown messages (edits, deletions, reactions) and typing signals, as frames that arrived. */
        long changesInWindow;
        long typingInWindow;
        long duplicates;
        long outOfOrder;
        long misrouted;
        /** Arrived after the window and before the drain ended: late, not lost. */
        long deliveredAfterWindow;
        long acksAfterWindow;

        void add(ThreadStats other) {
            latency.add(other.latency);
            latencySameNode.add(other.latencySameNode);
            latencyCrossNode.add(other.latencyCrossNode);
            framesInWindow += other.framesInWindow;
            acksInWindow += other.acksInWindow;
            notSent += other.notSent;
            messagesInWindow += other.messagesInWindow;
            changesInWindow += other.changesInWindow;
            typingInWindow += other.typingInWindow;
            duplicates += other.duplicates;
            outOfOrder += other.outOfOrder;
            misrouted += other.misrouted;
            deliveredAfterWindow += other.deliveredAfterWindow;
            acksAfterWindow += other.acksAfterWindow;
        }
    }

    /**
     * One connection: a receiver that tracks, per sender of its room, which message numbers arrived
     * (for loss and duplicates) and the highest so far (for order); and, if it is a sender, its count
     * of messages sent.
     */
    private final class Member implements WsClientPool.Listener, MarkerScanner.Sink, FrameParts.Visitor {
        final int room;
        /** Its place in its room: the first S are the senders, the first T the typers. */
        final int index;
        final int senderId;
        final int node;
        final BitSet[] seen = new BitSet[senders];
        final long[] seenCount = new long[senders];
        final long[] highest = new long[senders];
        volatile Channel channel;
        long sent;
        private long scanRelNanos;
        private int markersInFrame;
        private ThreadStats scanStats;

        /** Its own recent messages and the next change, when it sends --changes. */
        final ChangeMix mix;

        Member(int room, int index, int senderId, int node) {
            this.room = room;
            this.index = index;
            this.mix = changes && senderId >= 0 ? new ChangeMix() : null;
            this.senderId = senderId;
            this.node = node;
            for (int s = 0; s < senders; s++) {
                seen[s] = new BitSet();
                highest[s] = -1;
            }
        }

        /** Sends this sender's next message stamped sentRel; on the pacer thread or this member's loop. */
        void sendNext(long sentRel) {
            if (messagesPerSender > 0 && sent >= messagesPerSender) {
                return;
            }
            String change = mix == null ? null : mix.nextChange();
            if (change != null) {
                WsClientPool.send(channel, change);
                if (inWindow(sentRel)) {
                    changesSentInWindow.increment();
                }
                return;
            }
            WsClientPool.send(channel, markers.frame(senderId, sent++, sentRel));
            sentTotal.increment();
            if (inWindow(sentRel)) {
                sentInWindow.increment();
            }
        }

        @Override
        public void text(Channel channel, ByteBuf content) {
            scanRelNanos = relNanos();
            scanStats = statsOfThread.get();
            boolean counted = inWindow(scanRelNanos);
            if (counted) {
                scanStats.framesInWindow++;
            }
            if (changes || typers > 0) {
                markersInFrame = 0;
                FrameParts.split(content, this);
                if (markersInFrame == 0 && senderId >= 0 && isRefusal(content)) {
                    scanStats.notSent++; // a message not sent or a change refused
                }
                return;
            }
            if (markers.scan(content, this) == 0 && isNotSentError(content)) {
                scanStats.notSent++;
            }
        }

        @Override
        public void part(FrameParts.Kind kind, byte[] bytes, int from, int to) {
            boolean counted = inWindow(scanRelNanos);
            switch (kind) {
                case CHANGE -> scanStats.changesInWindow += counted ? 1 : 0;
                case TYPING -> scanStats.typingInWindow += counted ? 1 : 0;
                case QUOTE -> { }
                case NEW -> {
                    int found = markers.scan(bytes, from, to, this);
                    markersInFrame += found;
                    if (found > 0 && mix != null) {
                        noteOwnMessages(new String(bytes, from, to - from, java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }
        }

        /** Tells the mix the seq of each of this sender's own messages in a frame (the fragment id before its marker). */
        private void noteOwnMessages(String part) {
            String own = "bx:" + markers.runId() + ':' + senderId + ':';
            for (int at = part.indexOf(own); at >= 0; at = part.indexOf(own, at + 1)) {
                int id = part.lastIndexOf("id=\"m-", at);
                if (id >= 0) {
                    int from = id + 6;
                    int to = from;
                    while (to < part.length() && Character.isDigit(part.charAt(to))) {
                        to++;
                    }
                    mix.heard(Long.parseLong(part, from, to, 10));
                }
            }
        }

        @Override
        public void closed(Channel channel) {
            if (!finished) {
                closedEarly.increment();
            }
        }

        @Override
        public void marker(int sender, long n, long sentNanos) {
            ThreadStats stats = scanStats;
            if (sender / senders != room || sender >= roomUris.size() * senders) {
                stats.misrouted++;
                return;
            }
            int s = sender % senders;
            if (seen[s].get((int) n)) {
                stats.duplicates++;
                return;
            }
            seen[s].set((int) n);
            seenCount[s]++;
            deliveredTotal.increment();
            if (n < highest[s]) {
                stats.outOfOrder++;
            } else {
                highest[s] = n;
            }
            if (inWindow(scanRelNanos)) {
                stats.messagesInWindow++;
                long latency = scanRelNanos - sentNanos;
                stats.latency.record(latency);
                (nodeOfSender[sender] == node ? stats.latencySameNode : stats.latencyCrossNode).record(latency);
                if (sender == senderId) {
                    stats.acksInWindow++;
                }
            } else if (scanRelNanos >= windowEndRelNanos) {
                stats.deliveredAfterWindow++;
                if (sender == senderId) {
                    stats.acksAfterWindow++;
                }
            }
            if (sender == senderId && inflight > 0 && sending) {
                sendNext(scanRelNanos);
            }
        }
    }
}
