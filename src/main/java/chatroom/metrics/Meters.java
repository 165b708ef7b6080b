package chatroom.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Every meter this server publishes, and the one registry that holds them. The places that count call
 * the static methods below ({@code Meters.upgraded()}, {@code Meters.frameRefused(FrameRefusal.RATE)}),
 * which increment a counter made once, at class load: no lookup, no tags built, nothing allocated per
 * call, so they may sit on the paths every frame and every broadcast take. Gauges that read a live
 * object (open sockets, rooms awake, event-loop queues) are registered by {@code Main} through {@link
 * #gauges()} and removed when it stops.
 *
 * <p>Why static: a Prometheus scrape describes a process, as the JVM meters beside these do; one
 * process runs one server. A registry handed down through every constructor would touch a dozen
 * classes for the sake of a counter each. Tests that start several servers in one JVM see the sum of
 * their counts, so they compare counts before and after, never absolute values.
 *
 * <p>Thread-safe: counters are striped adders; gauges are read on the scraping thread.
 */
public final class Meters {

    private static final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** Why an upgrade to a WebSocket was refused; each is its own time series and its own log line. */
    public enum UpgradeRefusal {
        /** 403: the page that asked was not this site's (cross-site WebSocket hijacking). */
        ORIGIN("from other sites' pages"),
        /** 503: the server holds {@code --max-connections} sockets. */
        FULL("because the server was full"),
        /** 429: the client address holds {@code --max-sockets-per-ip} sockets. */
        ADDRESS_FULL("from addresses over their socket limit"),
        /** 503: the node is draining before it stops. */
        DRAINING("while draining"),
        /** 429: the client address opened sockets faster than {@code --upgrades-per-ip}. */
        UPGRADE_RATE("from addresses over their upgrade rate"),
        /** 429: the client address made this node host new rooms faster than {@code --new-rooms-per-ip}. */
        NEW_ROOM_RATE("from addresses over their new-room rate"),
        /** Closed with 1013 after the handshake: a new room while the node hosts {@code --max-rooms} rooms. */
        ROOMS_FULL("to new rooms while the node hosted its most rooms");

        final String why;
        final String tag = name().toLowerCase(Locale.ROOT);

        UpgradeRefusal(String why) {
            this.why = why;
        }
    }

    /** Why a frame from a client was refused (an error for the sender, or a close). */
    public enum FrameRefusal {
        /** Over the rate limit: the sender is told to wait (and closed with 1008 if it keeps on). */
        RATE("over the rate limit"),
        /** Over {@code --max-frame-bytes}: closed with 1009. */
        SIZE("over the size limit"),
        /** Text that is not UTF-8: closed with 1007. */
        UTF8("that were not UTF-8"),
        /** Not the JSON the page sends, or a binary or unknown frame: the sender gets an error. */
        MALFORMED("that were malformed");

        final String why;
        final String tag = name().toLowerCase(Locale.ROOT);

        FrameRefusal(String why) {
            this.why = why;
        }
    }

    /** Where a reader too slow to keep up was found. */
    public enum SlowConsumer {
        /** Its socket's send queue was full ({@code --send-queue-bytes}). */
        SOCKET,
        /** The event loop its socket writes on had too many broadcasts of one room waiting. */
        EVENT_LOOP;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    private static final Counter AUTH_HEADERS_REFUSED = counter("chatroom.auth.header.refused",
            "requests carrying the single sign-on header from an address not in --trusted-proxies, refused with 403");
    private static final Counter UPGRADES = counter("chatroom.websocket.upgrades", "WebSocket handshakes completed");
    private static final Counter[] UPGRADES_REFUSED = each(UpgradeRefusal.values(), r -> counter(
            "chatroom.websocket.upgrades.refused", "WebSocket upgrades refused, by reason", "reason", r.tag));
    private static final Counter[] FRAMES_REFUSED = each(FrameRefusal.values(), r -> counter(
            "chatroom.websocket.frames.refused", "frames from clients refused, by reason", "reason", r.tag));
    private static final Counter[] SLOW_CONSUMERS = each(SlowConsumer.values(), s -> counter(
            "chatroom.websocket.slow.consumers.closed",
            "sockets closed with 1013 because they could not keep up, by where it was found", "where", s.tag));

    /**
     * The close codes that mean something here (RFC 6455; 1005 is a close frame without a code); any other
     * is counted as "other", so a client cannot make up a time series per code it sends.
     */
    private static final int[] CLOSE_CODES = {1000, 1001, 1002, 1003, 1005, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014};
    private static final Counter[] CLOSES_BY_SERVER = closeCounters("server");
    private static final Counter[] CLOSES_BY_CLIENT = closeCounters("client");

    private static final Counter MESSAGES_STORED = counter("chatroom.messages.stored",
            "messages committed to the store");
    private static final Counter MESSAGES_NOT_STORED = counter("chatroom.messages.not.stored",
            "messages whose batch failed and was rolled back (their senders were told)");
    private static final Counter STORE_TIMEOUTS = counter("chatroom.messages.store.timeouts",
            "messages whose sender was told \"not sent\" because the store had not answered within --store-timeout");
    private static final DistributionSummary BATCH_SIZE = summary("chatroom.store.batch.size",
            "messages per group commit", "messages", 1, 2, 4, 8, 16, 32, 64, 128, 256, 512);
    private static final Timer COMMIT_TIME = timer("chatroom.store.commit",
            "time to write and commit one batch, fsync included",
            millis(0.5), millis(1), millis(2), millis(5), millis(10), millis(25), millis(50),
            millis(100), millis(250), millis(500), millis(1000), millis(2500), millis(5000));
    private static final Counter MESSAGES_DELIVERED = counter("chatroom.messages.delivered",
            "messages handed to members, one per member per message");
    private static final Counter GAP_READS = counter("chatroom.cursor.gap.reads",
            "reads of the store for messages the feed did not bring in order (gap fills)");

    private static final Counter PUBLISHED = counter("chatroom.cluster.published",
            "messages published to the other nodes through Redis");
    private static final Counter PUBLISH_FAILED = counter("chatroom.cluster.publish.failed",
            "publishes Redis did not take (the other nodes catch up from the database)");
    private static final Counter RECEIVED = counter("chatroom.cluster.received",
            "messages received from other nodes through Redis");
    private static final Counter SUBSCRIPTION_LOST = counter("chatroom.cluster.subscription.lost",
            "times the Redis subscription was lost or found wedged");
    private static final Counter TAIL_CHECKS = counter("chatroom.cluster.tail.checks",
            "checks of every local room's newest message in the database, for messages Redis lost");

    static {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    private Meters() {}

    // ---- the edge

    /** A WebSocket handshake completed. */
    public static void upgraded() {
        UPGRADES.increment();
    }

    public static void upgradeRefused(UpgradeRefusal reason) {
        UPGRADES_REFUSED[reason.ordinal()].increment();
    }

    /** A request named a user in {@code --auth-header} but did not come from a trusted proxy. */
    public static void authHeaderRefused() {
        AUTH_HEADERS_REFUSED.increment();
    }

    static double authHeadersRefused() {
        return AUTH_HEADERS_REFUSED.count();
    }

    public static void frameRefused(FrameRefusal reason) {
        FRAMES_REFUSED[reason.ordinal()].increment();
    }

    /** The server sent a close frame with this code. */
    public static void closedByServer(int code) {
        CLOSES_BY_SERVER[closeIndex(code)].increment();
    }

    /** The server sent this close code to {@code count} sockets at once (a restart). */
    public static void closedByServer(int code, int count) {
        CLOSES_BY_SERVER[closeIndex(code)].increment(count);
    }

    /** The client sent a close frame with this code (1005 for one without a code). */
    public static void closedByClient(int code) {
        CLOSES_BY_CLIENT[closeIndex(code)].increment();
    }

    public static void slowConsumersClosed(SlowConsumer where, int count) {
        SLOW_CONSUMERS[where.ordinal()].increment(count);
    }

    // ---- the room and the store

    /** One message handed to {@code members} members. */
    public static void delivered(int members) {
        MESSAGES_DELIVERED.increment(members);
    }

    /** Messages handed to members so far, each member counted: a running total. */
    public static long deliveredSoFar() {
        return (long) MESSAGES_DELIVERED.count();
    }

    /** A room's cursor reads the store for messages it missed. */
    public static void gapRead() {
        GAP_READS.increment();
    }

    /** A batch of {@code messages} committed after {@code nanos}. */
    public static void batchCommitted(int messages, long nanos) {
        MESSAGES_STORED.increment(messages);
        BATCH_SIZE.record(messages);
        COMMIT_TIME.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A batch of {@code messages} failed and was rolled back. */
    public static void batchFailed(int messages) {
        MESSAGES_NOT_STORED.increment(messages);
    }

    /** A sender was told "not sent" because the store had not answered within the store timeout. */
    public static void storeTimedOut() {
        STORE_TIMEOUTS.increment();
    }

    // ---- the cluster

    public static void published() {
        PUBLISHED.increment();
    }

    public static void publishFailed() {
        PUBLISH_FAILED.increment();
    }

    public static void received() {
        RECEIVED.increment();
    }

    public static void subscriptionLost() {
        SUBSCRIPTION_LOST.increment();
    }

    public static void tailChecked() {
        TAIL_CHECKS.increment();
    }

    // ---- reading

    /** Writes every meter in Prometheus's text format (version 0.0.4). */
    static void scrape(OutputStream out) throws IOException {
        registry.scrape(out);
    }

    static double upgradesRefused(UpgradeRefusal reason) {
        return UPGRADES_REFUSED[reason.ordinal()].count();
    }

    static double framesRefused(FrameRefusal reason) {
        return FRAMES_REFUSED[reason.ordinal()].count();
    }

    static double slowConsumersClosed(SlowConsumer where) {
        return SLOW_CONSUMERS[where.ordinal()].count();
    }

    /** Gauges over live objects, registered together and removed together ({@link #close}). */
    public static Gauges gauges() {
        return new Gauges();
    }

    /**
     * The gauges one server registers: each reads its object when scraped. Should a second server in the
     * same JVM register the same gauge while the first still runs (only tests do), Micrometer keeps the
     * first one's.
     */
    public static final class Gauges implements AutoCloseable {

        private final List<Meter> registered = new ArrayList<>();

        private Gauges() {}

        /** Open WebSockets. */
        public Gauges sockets(IntSupplier open) {
            return gauge("chatroom.websockets.open", "open WebSockets", open::getAsInt);
        }

        public Gauges rooms(IntSupplier awake, IntSupplier asleep) {
            String what = "rooms with members on this node, awake (in memory) or asleep";
            gauge("chatroom.rooms", what, awake::getAsInt, "state", "awake");
            return gauge("chatroom.rooms", what, asleep::getAsInt, "state", "asleep");
        }

        /** Tasks waiting in each event loop's queue, in loop order: a loop that falls behind shows here first. */
        public Gauges eventLoopQueues(List<IntSupplier> pendingTasks) {
            for (int i = 0; i < pendingTasks.size(); i++) {
                IntSupplier pending = pendingTasks.get(i);
                gauge("chatroom.eventloop.pending.tasks", "tasks waiting in an event loop's queue", pending::getAsInt,
                        "loop", Integer.toString(i));
            }
            return this;
        }

        /** Cluster mode: 1 while the feed both publishes and receives through Redis (its probe comes back). */
        public Gauges feedConnected(BooleanSupplier connected) {
            return gauge("chatroom.cluster.subscription.up",
                    "1 while this node's Redis subscription is confirmed and its probe comes back",
                    () -> connected.getAsBoolean() ? 1 : 0);
        }

        /** Cluster mode: 1 while Redis answers the presence board and its room channels are subscribed. */
        public Gauges presenceHealthy(BooleanSupplier healthy) {
            return gauge("chatroom.cluster.presence.up",
                    "1 while Redis answers this node's presence board and its room channels are subscribed",
                    () -> healthy.getAsBoolean() ? 1 : 0);
        }

        /** Registers one gauge; {@code tags} are key, value pairs. Held strongly: the reader is often a lambda. */
        private Gauges gauge(String name, String description, Supplier<Number> value, String... tags) {
            registered.add(Gauge.builder(name, value).description(description).tags(tags).strongReference(true)
                    .register(registry));
            return this;
        }

        @Override
        public void close() {
            registered.forEach(registry::remove);
            registered.clear();
        }
    }

    // ---- making the meters

    /** A counter made once; {@code tags} are key, value pairs. */
    private static Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    /** A histogram of amounts in {@code baseUnit}, with a bucket at each of {@code buckets}. */
    private static DistributionSummary summary(String name, String description, String baseUnit, double... buckets) {
        return DistributionSummary.builder(name).description(description).baseUnit(baseUnit)
                .serviceLevelObjectives(buckets).register(registry);
    }

    /** A histogram of durations, with a bucket at each of {@code buckets}. */
    private static Timer timer(String name, String description, Duration... buckets) {
        return Timer.builder(name).description(description).serviceLevelObjectives(buckets).register(registry);
    }

    /** One counter per value, in the values' order, so that {@code ordinal()} finds its counter. */
    private static <T> Counter[] each(T[] values, Function<T, Counter> make) {
        Counter[] counters = new Counter[values.length];
        for (int i = 0; i < values.length; i++) {
            counters[i] = make.apply(values[i]);
        }
        return counters;
    }

    private static Counter[] closeCounters(String by) {
        Counter[] counters = new Counter[CLOSE_CODES.length + 1];
        for (int i = 0; i < counters.length; i++) {
            String code = i < CLOSE_CODES.length ? Integer.toString(CLOSE_CODES[i]) : "other";
            counters[i] = counter("chatroom.websocket.closes", "WebSocket close frames, by code and by who sent them",
                    "code", code, "by", by);
        }
        return counters;
    }

    private static int closeIndex(int code) {
        for (int i = 0; i < CLOSE_CODES.length; i++) {
            if (CLOSE_CODES[i] == code) {
                return i;
            }
        }
        return CLOSE_CODES.length;
    }

    private static Duration millis(double ms) {
        return Duration.ofNanos((long) (ms * 1_000_000));
    }
}
