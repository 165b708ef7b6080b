package chatroom.web;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory sockets use outside the heap, and its one cap. Encoded frames ({@link TextFrames}) are JDK
 * direct buffers that the collector frees; Netty's buffers (reads, handshakes, pongs) come, on JDK 25,
 * from the same pool. Both count against {@code -XX:MaxDirectMemorySize}, which defaults to {@code -Xmx}:
 * uncapped, a replay storm (many pages catching up at once) can grow the process to about twice its
 * heap before the collector runs. With a cap, the JDK collects and retries when it is reached, and a
 * frame that still finds no room closes its socket with 1013 ({@link WebSocketMember#send}): the page
 * reconnects later, the process stays within its budget. See docs/LIMITS.md.
 */
final class DirectMemory {

    private static final Logger log = LoggerFactory.getLogger(DirectMemory.class);
    /** Refusals are logged at most this often, with how many there were: a storm is one line, not thousands. */
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;
    private static final AtomicLong refusals = new AtomicLong();
    private static final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

    private DirectMemory() {}

    /** Says what to do when the JVM runs with the default cap, the heap's size; empty when a cap was given. */
    static Optional<String> uncappedWarning() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            VMOption cap = hotspot.getVMOption("MaxDirectMemorySize");
            if (cap.getOrigin() != VMOption.Origin.DEFAULT) {
                return Optional.empty();
            }
        } catch (RuntimeException notHotSpot) {
            return Optional.empty();
        }
        long heapMb = Runtime.getRuntime().maxMemory() >> 20;
        return Optional.of("direct memory is capped only by the heap's size (" + heapMb + " MB, as -XX:MaxDirectMemorySize"
                + " is not set): many pages catching up at once can grow the process to about twice its heap. Start the"
                + " JVM with -XX:MaxDirectMemorySize=64m (./chatroom run does); see docs/LIMITS.md");
    }

    /** A frame found no direct memory: counted, and logged with the others at most once per period. */
    static void refused(String room, String client, OutOfMemoryError e) {
        long count = refusals.incrementAndGet();
        long now = System.nanoTime();
        long due = nextLogNanos.get();
        if (now - due >= 0 && nextLogNanos.compareAndSet(due, now + LOG_EVERY_NANOS)) {
            log.warn("{}: {}: direct memory full ({}; {} MB in use); closing with 1013, {} sockets so far",
                    room, client, e.getMessage(), directUsedMb(), count);
        }
    }

    private static long directUsedMb() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed() >> 20;
            }
        }
        return -1;
    }
}
