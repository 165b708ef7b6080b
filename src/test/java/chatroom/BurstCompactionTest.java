package chatroom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BurstCompactionTest {

    private static final long MB = 1 << 20;

    /** An old generation that grows when told to and drops to its live size when collected. */
    private static final class FakeJvm implements BurstCompaction.Jvm {
        long used = 20 * MB;
        long usedAfterLastCollection = 20 * MB;
        long live = 20 * MB;
        int collections;
        int trims;

        @Override
        public long oldGenerationUsed() {
            return used;
        }

        @Override
        public long oldGenerationUsedAfterLastCollection() {
            return usedAfterLastCollection;
        }

        @Override
        public void collectFully() {
            collections++;
            used = live;
            usedAfterLastCollection = live;
        }

        @Override
        public Optional<String> trimNativeHeap() {
            trims++;
            return Optional.of("trimmed");
        }
    }

    private final FakeJvm jvm = new FakeJvm();
    private int sockets;
    private long delivered;
    private long now;
    private final BurstCompaction compaction = new BurstCompaction(
            new BurstCompaction.Settings(32 * MB, TimeUnit.SECONDS.toNanos(60), 500, 50, 100),
            jvm,
            () -> sockets,
            () -> delivered,
            () -> now);

    private boolean checkAfter(int seconds) {
        now += TimeUnit.SECONDS.toNanos(seconds);
        return compaction.check();
    }

    @Test
    void collectsOnceACrowdHasArrivedAndSettled() {
        checkAfter(5);
        // a crowd of 5,000 arrives over three checks, leaving garbage in the old generation
        for (int i = 0; i < 3; i++) {
            sockets += 1700;
            jvm.used += 30 * MB;
            assertFalse(checkAfter(5), "not while sockets are still arriving");
        }
        assertTrue(checkAfter(5), "the crowd has settled and the old generation grew by 90 MB");
        assertEquals(1, jvm.collections);
        assertEquals(20 * MB, jvm.oldGenerationUsed());

        // settled and nothing new: no second collection
        assertFalse(checkAfter(5));
        assertFalse(checkAfter(120));
        assertEquals(1, jvm.collections);
    }

    @Test
    void steadyChatWithoutABurstNeverCollects() {
        sockets = 5000;
        checkAfter(5);
        for (int i = 0; i < 100; i++) {
            sockets += i % 2 == 0 ? 10 : -10; // a few pages come and go
            jvm.used += 5 * MB; // messages' garbage promoted now and then
            assertFalse(checkAfter(5));
        }
        assertEquals(0, jvm.collections);
    }

    @Test
    void waitsWhileMessagesFlowAndCollectsOnceTheChatQuietens() {
        checkAfter(5);
        sockets += 5000;
        jvm.used += 60 * MB;
        checkAfter(5);
        // the crowd has settled, but a live room now hands out 30 messages a second to its 30 members
        for (int i = 0; i < 6; i++) {
            delivered += 5 * 30 * 30;
            assertFalse(checkAfter(5), "not while messages flow");
        }
        delivered += 40; // a message now and then
        assertTrue(checkAfter(5), "the chat has quietened and the burst is still remembered");
        assertEquals(1, jvm.collections);
    }

    @Test
    void aBurstThatLeftLittleBehindIsNotWorthAPause() {
        checkAfter(5);
        sockets += 3000;
        jvm.used += 10 * MB;
        checkAfter(5);
        assertFalse(checkAfter(5), "grew by 10 MB only");
        jvm.used += 30 * MB; // the burst's survivors promoted later still count
        assertTrue(checkAfter(5));
    }

    @Test
    void twoBurstsInAMinuteGetOneCollection() {
        checkAfter(5);
        sockets += 3000;
        jvm.used += 40 * MB;
        checkAfter(5);
        assertTrue(checkAfter(5));

        sockets -= 3000; // they all leave again, and more garbage follows
        jvm.used += 40 * MB;
        checkAfter(5);
        assertFalse(checkAfter(5), "within a minute of the last collection");
        assertTrue(checkAfter(60));
        assertEquals(2, jvm.collections);
    }

    @Test
    void aCollectionTheJvmMadeItselfResetsTheGrowth() {
        checkAfter(5);
        sockets += 3000;
        jvm.used += 40 * MB;
        checkAfter(5);
        jvm.collectFully(); // the old generation filled and the JVM collected it on its own
        assertFalse(checkAfter(5));
        assertEquals(1, jvm.collections);
    }

    @Test
    void thisJvmCanCollectAndTrim() {
        BurstCompaction.Jvm real = BurstCompaction.platformJvm().orElseThrow(
                () -> new AssertionError("the test JVM's collector has an old generation to watch"));
        byte[][] garbage = new byte[64][];
        for (int i = 0; i < garbage.length; i++) garbage[i] = new byte[64 * 1024];
        garbage = null;
        real.collectFully();
        assertTrue(real.oldGenerationUsedAfterLastCollection() <= real.oldGenerationUsed() + MB);
        // glibc's trim, through the same diagnostic command as jcmd: it says what it gave back
        assertTrue(real.trimNativeHeap().orElseThrow().contains("Trim native heap"), real.trimNativeHeap().toString());
    }
}
