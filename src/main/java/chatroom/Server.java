package chatroom;

/**
 * A running Chatroom server, as {@link Main#start} returns it: the ports it listens on, and {@link #close} to
 * stop it the way a restart does (sockets closed with 1012, pending writes stored). What the training run and
 * the tests hold, so that neither needs the composition root's insides. Thread-safe; close once.
 */
public interface Server extends AutoCloseable {

    /** The web port bound (the one asked for, or the free one picked for {@code --port 0}). */
    int port();

    /** The management listener's port, or {@link Config#METRICS_OFF}. */
    int metricsPort();

    @Override
    void close();
}
