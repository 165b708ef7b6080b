package chatroom.web;

import chatroom.room.Author;
import chatroom.room.Fragment;
import chatroom.room.Message;
import chatroom.room.Names;
import chatroom.room.Quote;
import chatroom.room.RoomEvent;
import chatroom.room.RoomViews;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders pages and fragments from the JTE templates in {@code src/main/jte}, precompiled at build
 * time, straight to UTF-8 bytes. JTE escapes every {@code ${…}} for its place in the HTML, so user text
 * cannot become markup. Thread-safe: rooms render on their own threads concurrently.
 */
public final class JteViews implements RoomViews {

    /** Beyond this many names the presence list says "and N more"; a page need not list a crowd. */
    private static final int PRESENCE_SHOWN = 100;

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    /** The marker shown beside an author's name ("Owner", "Moderator", "Account", or "" for a guest). */
    private final java.util.function.Function<String, String> marks;

    /** Views that mark no author (tests, tools). */
    public JteViews() {
        this(userId -> "");
    }

    /** Views that mark each author as {@code marks} says, by user id, when a message is rendered. */
    public JteViews(java.util.function.Function<String, String> marks) {
        this.marks = marks;
    }

    /**
     * Room for the pieces one fragment is written in (each literal and each value is one); more grow the
     * list. The default room, 512, made this list's array the largest allocation of a delivered message
     * (JFR, 100 rooms × 10 members, 2026-11-28).
     */
    private static final int OUTPUT_PIECES = 64;

    byte[] render(String template, Map<String, Object> params) {
        Utf8ByteOutput out = new Utf8ByteOutput(OUTPUT_PIECES);
        engine.render(template, params, out);
        return out.toByteArray();
    }

    // ---- fragments for rooms (RoomViews)

    @Override
    public Fragment event(RoomEvent event) {
        return switch (event) {
            case RoomEvent.Posted posted -> new Fragment(
                    render("fragments/live.jte", Map.of("m", MessageView.of(posted.message(), marks))), event.seq());
            // an edit or a deletion changes what replies quote of the message too; a reaction does not
            case RoomEvent.Edited edited -> changed(edited.seq(), edited.message(), true);
            case RoomEvent.Deleted deleted -> changed(deleted.seq(), deleted.message(), true);
            case RoomEvent.Reacted reacted -> changed(reacted.seq(), reacted.message(), false);
            case RoomEvent.Unreacted unreacted -> changed(unreacted.seq(), unreacted.message(), false);
        };
    }

    /**
     * A message shown as it now is, swapped in place by its id, and with {@code requote} the quotes of it in
     * replies (nothing happens on a page that shows neither).
     */
    private Fragment changed(long seq, Message message, boolean requote) {
        Map<String, Object> params = new HashMap<>();
        params.put("m", MessageView.of(message, marks));
        params.put("quoted", requote ? Quote.of(message) : null);
        return new Fragment(render("fragments/changed.jte", params), seq);
    }

    /** Runs of messages as one history block each, and each change in its place after them. */
    @Override
    public Fragment missed(List<RoomEvent> events) {
        List<Fragment> parts = new ArrayList<>();
        List<Message> run = new ArrayList<>();
        for (RoomEvent event : events) {
            switch (event) {
                case RoomEvent.Posted posted -> run.add(posted.message());
                // a change, in its place after the messages before it
                case RoomEvent.Edited edited -> flush(run, parts).add(event(edited));
                case RoomEvent.Deleted deleted -> flush(run, parts).add(event(deleted));
                case RoomEvent.Reacted reacted -> flush(run, parts).add(event(reacted));
                case RoomEvent.Unreacted unreacted -> flush(run, parts).add(event(unreacted));
            }
        }
        if (parts.isEmpty()) {
            return history(run, false);
        }
        flush(run, parts);
        return Fragment.join(parts);
    }

    /** The run of messages so far as one history block, if any; returns {@code parts}. */
    private List<Fragment> flush(List<Message> run, List<Fragment> parts) {
        if (!run.isEmpty()) {
            parts.add(history(List.copyOf(run), false));
            run.clear();
        }
        return parts;
    }

    @Override
    public Fragment history(List<Message> messages, boolean replace) {
        String room = messages.isEmpty() ? "" : messages.get(0).room();
        byte[] html = render("fragments/history.jte", Map.of(
                "room", room,
                "messages", views(messages),
                "replace", replace,
                "olderBefore", RoomViews.olderBefore(messages)));
        return new Fragment(html, messages.isEmpty() ? 0 : messages.get(messages.size() - 1).seq());
    }

    @Override
    public Fragment typing(List<Author> typists) {
        return new Fragment(render("fragments/typing.jte", Map.of("typists", typists)), 0);
    }

    @Override
    public Fragment presence(List<Author> here) {
        return new Fragment(render("fragments/presence.jte", Map.of("here", here, "shown", PRESENCE_SHOWN)), 0);
    }

    @Override
    public Fragment notice(String text) {
        return new Fragment(render("fragments/notice.jte", Map.of("text", text)), 0);
    }

    @Override
    public Fragment usersNotice(List<String> users, String what) {
        int shown = users.size() <= Names.SHOWN ? users.size() : Names.SHOWN;
        return new Fragment(render("fragments/users-notice.jte", Map.of(
                "names", users.subList(0, shown), "others", users.size() - shown, "what", what)), 0);
    }

    @Override
    public Fragment renameNotice(String oldName, String newName) {
        return new Fragment(render("fragments/rename-notice.jte", Map.of("oldName", oldName, "newName", newName)), 0);
    }

    @Override
    public Fragment error(String text) {
        return new Fragment(render("fragments/error.jte", Map.of("text", text)), 0);
    }

    @Override
    public Fragment notSent(String text, String clientId, long retryAfterMillis) {
        Map<String, Object> params = new HashMap<>();
        params.put("text", text);
        params.put("cid", clientId); // may be null: then the attribute is left out
        params.put("retryAfterMs", retryAfterMillis);
        return new Fragment(render("fragments/not-sent.jte", params), 0);
    }

    List<MessageView> views(List<Message> messages) {
        return messages.stream().map(m -> MessageView.of(m, marks)).toList();
    }
}
