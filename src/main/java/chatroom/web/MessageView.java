package chatroom.web;

import chatroom.room.Author;
import chatroom.room.Message;
import chatroom.room.Names;
import chatroom.room.Quote;
import chatroom.room.Reaction;
import gg.jte.Content;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stored message as the templates show it, as it now is (edited: when, last; deleted: no text; the
 * message it answers, as that one now is; its reactions counted per emoji). The time is given in UTC as
 * ISO-8601 for the page's script to show in the reader's own time zone, and as HH:mm UTC for readers
 * without scripts.
 */
public record MessageView(
        long seq, String author, String tag, Content text, String iso, String clock, String cid, String editedIso,
        boolean deleted, Quote quote, List<ReactionView> reactions, String mark) {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /**
     * One emoji's reactions to a message: how many, who (their names for the button's title, the first
     * {@link #NAMED} of them, the rest counted) and their tags, by which each page marks its own reaction.
     */
    public record ReactionView(String emoji, int count, String names, String tags) {}

    /** Names in a reaction's title; a crowd is counted, not listed. */
    static final int NAMED = 20;

    static MessageView of(Message m, java.util.function.Function<String, String> marks) {
        return new MessageView(
                m.seq(),
                m.authorName(),
                Author.tagOf(m.authorId()),
                new LinkedText(m.text()),
                DateTimeFormatter.ISO_INSTANT.format(m.sentAt()),
                CLOCK.format(m.sentAt()),
                m.clientId(),
                m.editedAt() == null ? null : DateTimeFormatter.ISO_INSTANT.format(m.editedAt()),
                m.deleted(),
                m.quote(),
                reactions(m.reactions()),
                marks.apply(m.authorId()));
    }

    /** Per emoji, in the palette's order. */
    private static List<ReactionView> reactions(List<Reaction> reactions) {
        if (reactions.isEmpty()) return List.of();
        Map<String, List<Reaction>> byEmoji = new LinkedHashMap<>();
        for (String emoji : Reaction.PALETTE) byEmoji.put(emoji, new ArrayList<>());
        for (Reaction reaction : reactions) byEmoji.computeIfAbsent(reaction.emoji(), e -> new ArrayList<>()).add(reaction);
        List<ReactionView> views = new ArrayList<>();
        byEmoji.forEach((emoji, by) -> {
            if (by.isEmpty()) return;
            List<String> names = new ArrayList<>();
            StringBuilder tags = new StringBuilder();
            for (Reaction reaction : by) {
                names.add(reaction.userName());
                if (!tags.isEmpty()) tags.append(' ');
                tags.append(Author.tagOf(reaction.userId()));
            }
            views.add(new ReactionView(emoji, by.size(), Names.listed(names, NAMED), tags.toString()));
        });
        return views;
    }
}
