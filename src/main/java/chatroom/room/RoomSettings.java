package chatroom.room;

import java.time.Duration;

/**
 * The limits and timings of every room.
 *
 * @param maxMessageChars longest message, in characters (code points)
 * @param historyMessages messages shown on joining, and per page of scroll-back
 * @param replayLimit most messages replayed to a reconnecting member; beyond it the member gets the
 *     latest history instead and is told that it missed some
 * @param idleTimeout how long a room may go without events before it leaves memory
 * @param presenceDelay how long join/leave/rename changes are gathered before one presence update is
 *     sent, so that a crowd arriving at once costs one update rather than one per arrival per member;
 *     while changes keep coming, updates go out at most once per five delays
 * @param holdEarly how long a message that arrives ahead of the room's order (one before it is missing)
 *     is held for the missing one to arrive, before the gap is read from the store
 * @param storeTimeout how long a sender waits for its message to be stored before it is told "not sent"
 *     (a stuck database must not leave senders with no answer); a message stored after that is still
 *     shown, once, and the page, which knows it by its client id, takes it as sent
 */
public record RoomSettings(
        int maxMessageChars,
        int historyMessages,
        int replayLimit,
        Duration idleTimeout,
        Duration presenceDelay,
        Duration holdEarly,
        Duration storeTimeout) {

    public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(5);

    /** With the default store timeout. */
    public RoomSettings(int maxMessageChars, int historyMessages, int replayLimit, Duration idleTimeout,
            Duration presenceDelay, Duration holdEarly) {
        this(maxMessageChars, historyMessages, replayLimit, idleTimeout, presenceDelay, holdEarly, DEFAULT_STORE_TIMEOUT);
    }

    public static RoomSettings defaults() {
        return new RoomSettings(
                2000, 50, 500, Duration.ofSeconds(60), Duration.ofMillis(200), Duration.ofMillis(100));
    }

    public RoomSettings withLimits(int maxMessageChars, int historyMessages, Duration idleTimeout) {
        return new RoomSettings(
                maxMessageChars, historyMessages, replayLimit, idleTimeout, presenceDelay, holdEarly, storeTimeout);
    }

    public RoomSettings withStoreTimeout(Duration storeTimeout) {
        return new RoomSettings(
                maxMessageChars, historyMessages, replayLimit, idleTimeout, presenceDelay, holdEarly, storeTimeout);
    }
}
