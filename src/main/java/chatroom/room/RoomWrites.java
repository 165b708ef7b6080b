package chatroom.room;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a room's members write: messages, and changes to messages (edits, deletions). Each is checked here
 * (text cleaned and limited as a message's), appended to the {@link RoomLog}, which numbers it in the
 * transaction that stores it and judges a change against the message as it then is, and published on the
 * {@link MessageFeed} once committed; members get it back through the room's cursor like any event. The
 * writer alone is told when it fails: a message "not sent" (by its client id, also at the deadline of
 * {@link SendDeadlines}), a change refused with its reason. Room's thread, but for the store's answers.
 */
final class RoomWrites {

    private static final Logger log = LoggerFactory.getLogger(RoomWrites.class);

    static final String NOT_STORED = "Your message was not sent: the server could not store it. Please try again.";
    static final String UNKNOWN_EMOJI = "Unknown emoji: react with one of " + String.join(" ", Reaction.PALETTE) + ".";
    static final String CHANGE_NOT_STORED = "Your change was not saved: the server could not store it. Please try again.";

    private final RoomHost host;
    private final Members members;
    private final RoomLog roomLog;
    private final MessageFeed feed;
    private final RoomViews views;
    private final RoomSettings settings;
    private final Clock clock;
    private final SendDeadlines deadlines;
    /**
     * Events handed to the store and not yet published (or reported as not stored). Counted down on the
     * store's thread; while any is on its way the room stays awake and its host subscribed.
     */
    private final AtomicInteger storing = new AtomicInteger();
    /** Times only move forward within a room, even if the wall clock steps back. */
    private Instant lastAt = Instant.EPOCH;

    RoomWrites(RoomHost host, Members members, SendDeadlines deadlines, RoomServices services) {
        this.host = host;
        this.members = members;
        this.deadlines = deadlines;
        this.roomLog = services.messages();
        this.feed = services.feed();
        this.views = services.views();
        this.settings = services.settings();
        this.clock = services.clock();
    }

    /** True while an event is on its way to the store. */
    boolean storing() {
        return storing.get() > 0;
    }

    void say(Member member, String rawText, String clientId, long replyTo) {
        String text;
        try {
            text = MessageText.clean(rawText, settings.maxMessageChars());
        } catch (InvalidInputException e) {
            members.send(member, views.notSent(e.getMessage(), clientId, 0));
            return;
        }
        Author author = member.author();
        SendDeadlines.Sending answer = deadlines.track(member, clientId);
        append(new NewMessage(host.name().value(), author.id(), author.name(), text, now(), clientId, Math.max(replyTo, 0)))
                .whenComplete((event, error) -> {
                    // on the store's thread: publish at once; members get it through the feed. A message
                    // whose sender was told "not sent" at the deadline is published all the same: it is
                    // stored, so every member must see it, and its page takes it as sent by its client id
                    try {
                        if (error == null) {
                            answer.answer();
                            feed.publish(event);
                        } else if (answer.answer()) {
                            if (cause(error) instanceof ChangeRefusedException refused) {
                                // a reply to a message that is not there (or no longer)
                                member.send(views.notSent(refused.getMessage(), clientId, 0));
                                return;
                            }
                            // the store logs each failed batch with its reason; a line per message would flood the log
                            log.debug("{}: message from {} not stored: {}", host.name(), author.id(), error.toString());
                            member.send(views.notSent(NOT_STORED, clientId, 0));
                        }
                    } finally {
                        storing.decrementAndGet(); // after the publish: the host was subscribed while it ran
                    }
                });
    }

    void edit(Member member, long target, String rawText, String clientId) {
        String text;
        try {
            text = MessageText.clean(rawText, settings.maxMessageChars());
        } catch (InvalidInputException e) {
            members.send(member, views.error(e.getMessage()));
            return;
        }
        change(member, new NewEdit(host.name().value(), target, member.author().id(), text, now(), clientId));
    }

    /** {@code anyAuthor}: the member may delete others' messages too (the permissions said so). */
    void delete(Member member, long target, boolean anyAuthor, String clientId) {
        change(member, new NewDeletion(host.name().value(), target, member.author().id(), anyAuthor, now(), clientId));
    }

    /** Adds ({@code add}) or takes back the member's reaction {@code emoji} to message {@code target}. */
    void react(Member member, long target, String emoji, boolean add, String clientId) {
        if (!Reaction.inPalette(emoji)) {
            members.send(member, views.error(UNKNOWN_EMOJI));
            return;
        }
        Author author = member.author();
        change(member, new NewReaction(host.name().value(), target, author.id(), author.name(), emoji, add, now(), clientId));
    }

    private void change(Member member, NewEvent change) {
        append(change).whenComplete((event, error) -> {
            try {
                if (error == null) {
                    feed.publish(event);
                } else if (cause(error) instanceof ChangeRefusedException refused) {
                    member.send(views.error(refused.getMessage()));
                } else {
                    log.debug("{}: change from {} not stored: {}", host.name(), member.author().id(), error.toString());
                    member.send(views.error(CHANGE_NOT_STORED));
                }
            } finally {
                storing.decrementAndGet();
            }
        });
    }

    private CompletableFuture<RoomEvent> append(NewEvent event) {
        storing.incrementAndGet();
        return roomLog.append(event);
    }

    private Instant now() {
        Instant now = clock.instant();
        lastAt = now.isAfter(lastAt) ? now : lastAt;
        return lastAt;
    }

    private static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
