package chatroom.web;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The lines one class logs while a test runs, DEBUG included (the story of a single connection is told
 * at DEBUG): {@code try (LogLines lines = LogLines.of(WebSocketMember.class))}.
 */
final class LogLines implements AutoCloseable {

    private final Logger logger;
    private final Level levelBefore;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogLines(Class<?> source) {
        this.logger = (Logger) LoggerFactory.getLogger(source);
        this.levelBefore = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        appender.start();
        logger.addAppender(appender);
    }

    static LogLines of(Class<?> source) {
        return new LogLines(source);
    }

    /** The formatted messages logged so far that contain {@code text}. */
    List<String> containing(String text) {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(text)).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(levelBefore);
    }
}
