package chatroom;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives memory back to the system once a burst of connections is over. A crowd joining at once (a deploy's
 * reconnect stampede, a link shared in a big channel) makes the server render and send each newcomer the
 * room's people list while every other member is sent the changes: hundreds of megabytes of short-lived
 * frames, some of which outlive a young collection while they wait in a socket's queue. They end as
 * garbage in the old generation and as frames in direct memory that only a full collection frees — and an
 * idle server never needs a full collection, so it keeps that memory for good: measured at 19,900 idle
 * sockets, ~9 KB of RSS per socket instead of ~6.
 *
 * <p>So a check runs every few seconds. When at least {@link Settings#burstSockets} sockets have opened or
 * closed lately, the number open has stopped moving (the burst is over), and the old
 * generation has grown by {@link Settings#growthBytes} since its last full collection,
 * it asks for one full collection ({@link System#gc}) and, a moment later when the freed direct buffers'
 * cleaners have run, has the JVM hand the C heap's free pages back ({@code System.trim_native_heap}, the
 * same command as {@code jcmd}). The collection stops the server for as long as a full collection takes
 * (about 0.1–0.3 s for a 256 MB heap; seconds on a machine whose cores are all busy); it runs at most once
 * per {@link Settings#minSpacingNanos}, never during steady chat without a burst of sockets, never while
 * more than {@link Settings#quietDeliveries} messages reach members between two checks (it waits for a
 * quiet moment, for as long as the burst is remembered), and only after growth that a full collection
 * would have had to clean anyway. {@code -XX:+DisableExplicitGC} turns it off.
 *
 * <p>Threading: {@link #check} runs on the scheduler given to {@link #start}; nothing else is shared.
 */
final class BurstCompaction {

    private static final Logger log = LoggerFactory.getLogger(BurstCompaction.class);

    /**
     * @param growthBytes how much the old generation must have grown since its last full collection
     * @param minSpacingNanos the least time between two compactions
     * @param burstSockets how many sockets must have opened or closed lately for a burst to have happened:
     *     the change in open sockets from check to check, summed with an eighth forgotten at each check, so
     *     a burst is remembered for about a minute and pages coming and going one by one never add up to one
     * @param settledSockets how many sockets may open or close between two checks for the burst to count as over
     * @param quietDeliveries how many messages may be handed to members between two checks for the pause to
     *     wait for nobody; more, and the compaction waits until the chat quietens
     */
    record Settings(long growthBytes, long minSpacingNanos, int burstSockets, int settledSockets, long quietDeliveries) {
        static Settings defaults() {
            return new Settings(32L << 20, TimeUnit.SECONDS.toNanos(60), 500, 50, 100);
        }
    }

    /** What the JVM offers: the old generation's use now and after its last collection, and the two actions. */
    interface Jvm {
        /** Bytes in use in the old generation now, garbage included. */
        long oldGenerationUsed();

        /** Bytes in use in the old generation right after its last collection. */
        long oldGenerationUsedAfterLastCollection();

        void collectFully();

        /** Returns the JVM's one-line account of what it gave back, or empty where it cannot. */
        Optional<String> trimNativeHeap();
    }

    private final Settings settings;
    private final Jvm jvm;
    private final IntSupplier openSockets;
    private final LongSupplier deliveries;
    private final LongSupplier nanoTime;

    private int socketsAtLastCheck = -1;
    private long deliveriesAtLastCheck = -1;
    /** Sockets opened or closed lately, as seen from check to check, older changes fading (see {@link Settings}). */
    private long churn;
    /** When the last compaction ran; for the first, as if one had run a spacing before the start. */
    private long lastCompactionNanos;

    /**
     * @param openSockets the sockets open now
     * @param deliveries messages handed to members so far, a running count
     */
    BurstCompaction(Settings settings, Jvm jvm, IntSupplier openSockets, LongSupplier deliveries, LongSupplier nanoTime) {
        this.settings = settings;
        this.jvm = jvm;
        this.openSockets = openSockets;
        this.deliveries = deliveries;
        this.nanoTime = nanoTime;
        this.lastCompactionNanos = nanoTime.getAsLong() - settings.minSpacingNanos();
    }

    /**
     * Checks every {@code everySeconds} on {@code scheduler}, unless this JVM cannot or may not compact
     * (no old generation to watch, explicit collections disabled), which it then says once.
     */
    static void start(ScheduledExecutorService scheduler, IntSupplier openSockets, LongSupplier deliveries, long everySeconds) {
        Optional<Jvm> jvm = platformJvm();
        if (jvm.isEmpty()) {
            log.info("memory: not compacting after bursts (explicit collections disabled, or no old generation to watch)");
            return;
        }
        BurstCompaction compaction = new BurstCompaction(Settings.defaults(), jvm.get(), openSockets, deliveries, System::nanoTime);
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                if (compaction.check()) {
                    // the collection queued the dead direct buffers for their cleaners; give those a moment
                    scheduler.schedule(compaction::trim, 2, TimeUnit.SECONDS);
                }
            } catch (RuntimeException e) {
                // a check that throws would end the schedule for good: log it and check again next time
                log.warn("memory: the check after bursts failed: {}", e.toString());
            }
        }, everySeconds, everySeconds, TimeUnit.SECONDS);
    }

    /**
     * Compacts if the old generation has grown, the sockets have settled and the chat is quiet; returns
     * whether it did.
     */
    boolean check() {
        int sockets = openSockets.getAsInt();
        int moved = socketsAtLastCheck < 0 ? 0 : Math.abs(sockets - socketsAtLastCheck);
        socketsAtLastCheck = sockets;
        churn = churn - churn / 8 + moved;
        long delivered = deliveries.getAsLong();
        long deliveredLately = deliveriesAtLastCheck < 0 ? 0 : delivered - deliveriesAtLastCheck;
        deliveriesAtLastCheck = delivered;
        if (churn < settings.burstSockets() || moved > settings.settledSockets()) return false;
        // a pause while messages flow would hold each of them up; the memory can wait for a quiet moment
        if (deliveredLately > settings.quietDeliveries()) return false;
        if (nanoTime.getAsLong() - lastCompactionNanos < settings.minSpacingNanos()) return false;
        long grown = jvm.oldGenerationUsed() - jvm.oldGenerationUsedAfterLastCollection();
        if (grown < settings.growthBytes()) return false;

        long started = nanoTime.getAsLong();
        jvm.collectFully();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - started);
        lastCompactionNanos = nanoTime.getAsLong();
        log.info("memory: after a burst of {} sockets opening or closing ({} open now) the old generation had grown "
                        + "by {} MB; one full collection took {} ms and left {} MB in use",
                churn, sockets, grown >> 20, tookMillis, jvm.oldGenerationUsed() >> 20);
        churn = 0;
        return true;
    }

    /** This JVM, or empty where it cannot or may not compact. */
    static Optional<Jvm> platformJvm() {
        return PlatformJvm.find();
    }

    void trim() {
        jvm.trimNativeHeap().ifPresent(result -> log.info("memory: {}", result));
    }

    /** The running JVM, through its management beans. */
    private record PlatformJvm(MemoryPoolMXBean oldGeneration) implements Jvm {

        static Optional<Jvm> find() {
            boolean explicitGcDisabled = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .anyMatch(argument -> argument.equals("-XX:+DisableExplicitGC"));
            if (explicitGcDisabled) return Optional.empty();
            // the heap pool that full collections manage and young ones do not: "Tenured Gen" (serial),
            // "G1 Old Gen", "PS Old Gen"; the single-pool collectors (ZGC, Shenandoah) have none
            for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                for (String pool : collector.getMemoryPoolNames()) {
                    if (pool.endsWith("Old Gen") || pool.equals("Tenured Gen")) {
                        for (MemoryPoolMXBean bean : ManagementFactory.getMemoryPoolMXBeans()) {
                            if (bean.getType() == MemoryType.HEAP && bean.getName().equals(pool)
                                    && bean.isCollectionUsageThresholdSupported()) {
                                return Optional.of(new PlatformJvm(bean));
                            }
                        }
                    }
                }
            }
            return Optional.empty();
        }

        @Override
        public long oldGenerationUsed() {
            return oldGeneration.getUsage().getUsed();
        }

        @Override
        public long oldGenerationUsedAfterLastCollection() {
            return oldGeneration.getCollectionUsage().getUsed();
        }

        @Override
        public void collectFully() {
            System.gc();
        }

        @Override
        public Optional<String> trimNativeHeap() {
            try {
                Object result = ManagementFactory.getPlatformMBeanServer().invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "systemTrimNativeHeap",
                        new Object[] {null},
                        new String[] {String[].class.getName()});
                return Optional.of(String.valueOf(result).strip());
            } catch (Exception | LinkageError e) {
                // not every JVM or platform has the command (it trims glibc's heap); the collection still helped
                log.debug("memory: the native heap could not be trimmed: {}", e.toString());
                return Optional.empty();
            }
        }
    }
}
