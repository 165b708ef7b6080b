package chatroom;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format json}: swaps the console's pattern for Logback's JSON encoder, one object per line
 * with {@code timestamp} (epoch milliseconds), {@code level}, {@code threadName}, {@code loggerName},
 * {@code formattedMessage} and, for a failure, {@code throwable} with its stack. Done in code at start-up
 * rather than by a second logback.xml, because the flag is only known once the command line is read,
 * and Logback has configured itself from logback.xml by then.
 */
final class LogFormat {

    private LogFormat() {}

    /** Applies {@code format} ("text" or "json") to every console appender of the root logger. */
    static void apply(String format) {
        if (!format.equals("json") || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // text is what logback.xml set up
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> console) {
                JsonEncoder json = new JsonEncoder();
                json.setContext(context);
                // what a log shipper indexes; the context (Logback's own name and start time), the
                // sequence number and the unformatted template with its arguments are noise there
                json.setWithContext(false);
                json.setWithSequenceNumber(false);
                json.setWithNanoseconds(false);
                json.setWithMessage(false);
                json.setWithArguments(false);
                json.setWithFormattedMessage(true);
                json.setWithMDC(false); // nothing here puts anything in it
                json.start();
                console.stop();
                console.setEncoder(json);
                console.start();
            }
        }
    }
}
