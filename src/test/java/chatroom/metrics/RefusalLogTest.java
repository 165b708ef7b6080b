package chatroom.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A flood of refusals costs the log one line per kind, with the count, not one line per refusal. */
class RefusalLogTest {

    @Test
    void a_flood_of_refusals_is_logged_as_one_line_per_kind_with_its_count() {
        Logger logger = (Logger) LoggerFactory.getLogger(RefusalLog.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            // a period long enough that only closing logs
            RefusalLog refusals = RefusalLog.every(Duration.ofHours(1));
            for (int i = 0; i < 1234; i++) {
                Meters.upgradeRefused(Meters.UpgradeRefusal.ORIGIN);
            }
            for (int i = 0; i < 3; i++) {
                Meters.frameRefused(Meters.FrameRefusal.SIZE);
            }
            refusals.close();

            List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(logged).containsExactlyInAnyOrder(
                    "refused 1,234 upgrades from other sites' pages before stopping",
                    "refused 3 frames over the size limit before stopping");
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void what_was_refused_before_it_started_is_not_logged_again() {
        Meters.frameRefused(Meters.FrameRefusal.RATE);
        Logger logger = (Logger) LoggerFactory.getLogger(RefusalLog.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            RefusalLog.every(Duration.ofHours(1)).close();
            assertThat(lines.list).isEmpty();
        } finally {
            logger.detachAppender(lines);
        }
    }
}
