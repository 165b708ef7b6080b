package chatroom.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A flood of refusals costs the log one line per kind, with the count, not one line per refusal. */
class RefusalLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(RefusalLog.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void listen() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(lines);
    }

    private List<String> logged() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void a_flood_of_refusals_is_logged_as_one_line_per_kind_with_its_count() {
        // a period long enough that only closing logs
        RefusalLog refusals = RefusalLog.every(Duration.ofHours(1));
        for (int i = 0; i < 1234; i++) {
            Meters.upgradeRefused(Meters.UpgradeRefusal.ORIGIN);
        }
        for (int i = 0; i < 3; i++) {
            Meters.frameRefused(Meters.FrameRefusal.SIZE);
        }
        refusals.close();

        assertThat(logged()).containsExactlyInAnyOrder(
                "refused 1,234 upgrades from other sites' pages before stopping",
                "refused 3 frames over the size limit before stopping");
    }

    @Test
    void what_was_refused_before_it_started_is_not_logged_again() {
        Meters.frameRefused(Meters.FrameRefusal.RATE);
        RefusalLog.every(Duration.ofHours(1)).close();
        assertThat(logged()).isEmpty();
    }

    @Test
    void each_period_logs_what_was_refused_in_it() {
        try (RefusalLog refusals = RefusalLog.every(Duration.ofSeconds(1))) {
            Meters.slowConsumersClosed(Meters.SlowConsumer.SOCKET, 2);
            chatroom.Await.until(() -> !logged().isEmpty(), "a line within the period");
            assertThat(logged()).containsExactly("closed 2 sockets with 1013 whose send queue was full in the last 1 s");
        }
    }
}
