package chatroom.store;

import static chatroom.room.StoredMessages.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.room.ChangeRefusedException;
import chatroom.room.Message;
import chatroom.room.MessageStore;
import chatroom.room.NewDeletion;
import chatroom.room.NewEdit;
import chatroom.room.NewReaction;
import chatroom.room.Quote;
import chatroom.room.Reaction;
import chatroom.room.NewEvent;
import chatroom.room.NewMessage;
import chatroom.room.RoomEvent;
import chatroom.room.StoredMessages;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MessageStore} must do, whatever keeps the messages. A subclass says how to open a
 * store; the in-memory store and the JDBC store run the same checks, so the core tested against the
 * first behaves the same on the second.
 */
abstract class MessageStoreContract {

    /** Sent times with whole milliseconds: what every store keeps exactly. */
    static final Instant T0 = Instant.parse("2030-01-02T03:04:05.678Z");

    MessageStore store;

    abstract MessageStore openStore() throws Exception;

    /** Runs after each test has closed its store: where a subclass drops what {@link #openStore} created. */
    void afterStoreClosed() {}

    @BeforeEach
    void open() throws Exception {
        store = openStore();
    }

    @AfterEach
    void closeStore() {
        try {
            store.close();
        } finally {
            afterStoreClosed();
        }
    }

    @Test
    void sequence_numbers_start_at_1_and_have_no_gaps_within_a_room() throws Exception {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) seqs.add(append("lobby", "hello " + i).seq());

        assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void rooms_are_numbered_independently() throws Exception {
        append("a", "a1");
        append("a", "a2");
        Message b1 = append("b", "b1");
        Message a3 = append("a", "a3");

        assertThat(b1.seq()).isEqualTo(1);
        assertThat(a3.seq()).isEqualTo(3);
        assertThat(texts(get(messages(store).after("b", 0, 100)))).containsExactly("b1");
    }

    @Test
    void the_appended_message_is_the_one_history_returns() throws Exception {
        Message appended = get(messages(store).append(new NewMessage("lobby", "u-17", "Ann", "<b>hi</b> ☃", T0)));

        assertThat(appended).isEqualTo(new Message("lobby", 1, "u-17", "Ann", "<b>hi</b> ☃", T0));
        assertThat(get(messages(store).after("lobby", 0, 10))).containsExactly(appended);
        assertThat(get(store.before("lobby", Long.MAX_VALUE, 10))).containsExactly(appended);
    }

    @Test
    void before_returns_exactly_the_last_n_oldest_first() throws Exception {
        appendAll("lobby", 10);

        assertThat(texts(get(store.before("lobby", Long.MAX_VALUE, 3)))).containsExactly("m8", "m9", "m10");
        assertThat(texts(get(store.before("lobby", 5, 3)))).containsExactly("m2", "m3", "m4");
        assertThat(texts(get(store.before("lobby", 3, 10)))).containsExactly("m1", "m2");
        assertThat(get(store.before("lobby", 1, 10))).isEmpty();
        assertThat(get(store.before("lobby", Long.MAX_VALUE, 0))).isEmpty();
    }

    @Test
    void paging_backwards_with_before_covers_every_message_exactly_once() throws Exception {
        appendAll("lobby", 25);
        appendAll("other", 4);

        List<Long> seen = new ArrayList<>();
        long cursor = Long.MAX_VALUE;
        while (true) {
            List<Message> page = get(store.before("lobby", cursor, 7));
            if (page.isEmpty()) break;
            assertThat(page).extracting(Message::room).containsOnly("lobby");
            List<Long> pageSeqs = page.stream().map(Message::seq).toList();
            assertThat(pageSeqs).isSorted();
            seen.addAll(0, pageSeqs);
            cursor = page.getFirst().seq();
        }

        assertThat(seen).hasSize(25).doesNotHaveDuplicates().isSorted();
        assertThat(seen.getFirst()).isEqualTo(1);
        assertThat(seen.getLast()).isEqualTo(25);
    }

    @Test
    void after_returns_what_came_after_oldest_first() throws Exception {
        appendAll("lobby", 10);

        assertThat(texts(get(messages(store).after("lobby", 7, 100)))).containsExactly("m8", "m9", "m10");
        assertThat(texts(get(messages(store).after("lobby", 0, 2)))).containsExactly("m1", "m2");
        assertThat(get(messages(store).after("lobby", 10, 100))).isEmpty();
    }

    @Test
    void a_room_without_messages_has_no_history() throws Exception {
        assertThat(get(store.before("nobody-here", Long.MAX_VALUE, 10))).isEmpty();
        assertThat(get(messages(store).after("nobody-here", 0, 10))).isEmpty();
    }

    @Test
    void active_rooms_are_listed_most_recently_active_first() throws Exception {
        append("a", "1");
        append("b", "2");
        append("c", "3");
        append("a", "4");

        assertThat(get(store.recentRooms(10))).containsExactly("a", "c", "b");
        assertThat(get(store.recentRooms(2))).containsExactly("a", "c");
    }

    @Test
    void recent_rooms_leave_out_private_rooms_before_the_limit_so_they_cannot_push_public_ones_off() throws Exception {
        append("public-one", "1");
        for (int i = 0; i < 5; i++) {
            append(chatroom.room.RoomName.newPrivate().value(), "secret " + i); // newer than the public room
        }

        assertThat(get(store.recentRooms(3))).containsExactly("public-one");
    }

    @Test
    void a_retried_send_stores_nothing_and_completes_with_the_message_stored_the_first_time() throws Exception {
        Message first = get(messages(store).append(new NewMessage("lobby", "u-1", "Ann", "hello", T0, "c-1")));
        append("lobby", "in between");

        Message retry = get(messages(store).append(
                new NewMessage("lobby", "u-1", "Ann (renamed)", "hello again", T0.plusSeconds(5), "c-1")));
        Message next = append("lobby", "next");

        assertThat(retry).isEqualTo(first).isEqualTo(new Message("lobby", 1, "u-1", "Ann", "hello", T0, "c-1"));
        assertThat(next.seq()).as("no seq was spent on the retry").isEqualTo(3);
        assertThat(texts(get(messages(store).after("lobby", 0, 10)))).containsExactly("hello", "in between", "next");
        assertThat(get(store.lastSeqs(List.of("lobby")))).containsEntry("lobby", 3L);
    }

    @Test
    void a_client_id_is_unique_per_author_and_room_only() throws Exception {
        Message ann = get(messages(store).append(new NewMessage("lobby", "u-1", "Ann", "from Ann", T0, "c-1")));
        Message bob = get(messages(store).append(new NewMessage("lobby", "u-2", "Bob", "from Bob", T0, "c-1")));
        Message elsewhere = get(messages(store).append(new NewMessage("side", "u-1", "Ann", "elsewhere", T0, "c-1")));

        assertThat(List.of(ann.seq(), bob.seq(), elsewhere.seq())).containsExactly(1L, 2L, 1L);
        assertThat(texts(get(messages(store).after("lobby", 0, 10)))).containsExactly("from Ann", "from Bob");
    }

    @Test
    void retries_sent_without_waiting_complete_with_one_stored_message() throws Exception {
        List<CompletableFuture<Message>> sends = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sends.add(messages(store).append(new NewMessage("lobby", "u-1", "Ann", "send " + (i % 4), T0, "c-" + (i % 4))));
        }

        for (int i = 0; i < 20; i++) {
            assertThat(get(sends.get(i))).isEqualTo(get(sends.get(i % 4)));
        }
        assertThat(texts(get(messages(store).after("lobby", 0, 100)))).containsExactly("send 0", "send 1", "send 2", "send 3");
        assertThat(get(store.lastSeqs(List.of("lobby", "empty")))).containsEntry("lobby", 4L).containsEntry("empty", 0L);
    }

    @Test
    void messages_without_a_client_id_are_each_stored() throws Exception {
        append("lobby", "same");
        append("lobby", "same");

        assertThat(texts(get(messages(store).after("lobby", 0, 10)))).containsExactly("same", "same");
    }

    @Test
    void last_seqs_name_every_room_asked_for_with_0_for_a_room_without_messages() throws Exception {
        appendAll("a", 3);
        appendAll("b", 1);
        List<String> many = new ArrayList<>(List.of("a", "b", "nobody"));
        for (int i = 0; i < 2_500; i++) many.add("empty-" + i); // more than one query's worth

        var last = get(store.lastSeqs(many));

        assertThat(last).hasSize(many.size()).containsEntry("a", 3L).containsEntry("b", 1L).containsEntry("nobody", 0L);
        assertThat(last.get("empty-2499")).isZero();
        assertThat(get(store.lastSeqs(List.of()))).isEmpty();
    }


    // ---- changes to messages: edits and deletions, numbered as events

    @Test
    void an_edit_takes_the_next_seq_and_history_shows_the_message_as_it_now_is() throws Exception {
        Message first = append("lobby", "helo");
        append("lobby", "second");

        RoomEvent edit = get(store.append(new NewEdit("lobby", first.seq(), "u-1", "hello", T0.plusSeconds(60), null)));
        Message third = append("lobby", "third");

        assertThat(edit).isEqualTo(new RoomEvent.Edited(3, first.editedTo("hello", T0.plusSeconds(60))));
        assertThat(third.seq()).isEqualTo(4);
        assertThat(get(store.before("lobby", Long.MAX_VALUE, 10))).extracting(Message::text).containsExactly("hello", "second", "third");
        assertThat(get(store.before("lobby", Long.MAX_VALUE, 10)).getFirst().editedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(get(store.after("lobby", 2, 10))).as("a page that saw seq 2 is sent the edit, then the next message")
                .containsExactly(edit, new RoomEvent.Posted(third));
        assertThat(get(store.after("lobby", 0, 10))).extracting(RoomEvent::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(get(store.lastSeqs(List.of("lobby")))).containsEntry("lobby", 4L);
    }

    @Test
    void a_deletion_leaves_the_event_and_who_made_it_and_nothing_of_the_text() throws Exception {
        Message said = append("lobby", "first words");
        get(store.append(new NewEdit("lobby", said.seq(), "u-1", "second thoughts", T0.plusSeconds(1), null)));

        RoomEvent deleted = get(store.append(new NewDeletion("lobby", said.seq(), "u-1", false, T0.plusSeconds(2), null)));

        assertThat(deleted).isEqualTo(new RoomEvent.Deleted(3,
                said.editedTo("second thoughts", T0.plusSeconds(1)).deletedAt(T0.plusSeconds(2)), "u-1"));
        Message now = get(store.before("lobby", Long.MAX_VALUE, 10)).getFirst();
        assertThat(now.deleted()).isTrue();
        assertThat(now.text()).isEmpty();
        List<RoomEvent> replay = get(store.after("lobby", 0, 10));
        assertThat(replay).extracting(RoomEvent::seq).containsExactly(1L, 2L, 3L);
        assertThat(replay).as("a replayed edit of a deleted message says nothing of what it said")
                .allSatisfy(event -> assertThat(StoredMessages.message(event).text()).isEmpty());
    }

    @Test
    void changes_are_refused_for_unknown_messages_others_messages_deleted_ones_and_edits_that_change_nothing() throws Exception {
        Message ann = append("lobby", "mine");
        Message bob = get(messages(store).append(new NewMessage("lobby", "u-2", "Bob", "his", T0)));

        assertRefused(new NewEdit("lobby", 99, "u-1", "x", T0, null), ChangeRefusedException.UNKNOWN);
        assertRefused(new NewEdit("elsewhere", ann.seq(), "u-1", "x", T0, null), ChangeRefusedException.UNKNOWN);
        assertRefused(new NewEdit("lobby", bob.seq(), "u-1", "now mine", T0, null), ChangeRefusedException.NOT_YOURS);
        assertRefused(new NewDeletion("lobby", bob.seq(), "u-1", false, T0, null), ChangeRefusedException.NOT_YOURS);
        assertRefused(new NewEdit("lobby", ann.seq(), "u-1", "mine", T0, null), ChangeRefusedException.UNCHANGED);
        get(store.append(new NewDeletion("lobby", ann.seq(), "u-1", false, T0, null)));
        assertRefused(new NewEdit("lobby", ann.seq(), "u-1", "back", T0, null), ChangeRefusedException.DELETED);
        assertRefused(new NewDeletion("lobby", ann.seq(), "u-1", false, T0, null), ChangeRefusedException.DELETED);

        Message next = append("lobby", "next");
        assertThat(next.seq()).as("refused changes took no seq").isEqualTo(4);
        assertThat(get(store.before("lobby", Long.MAX_VALUE, 10))).extracting(Message::text).containsExactly("", "his", "next");
    }

    @Test
    void a_deletion_allowed_for_any_author_removes_another_s_message() throws Exception {
        Message bob = get(messages(store).append(new NewMessage("lobby", "u-2", "Bob", "his", T0)));

        RoomEvent deleted = get(store.append(new NewDeletion("lobby", bob.seq(), "u-mod", true, T0, null)));

        assertThat(deleted).isInstanceOfSatisfying(RoomEvent.Deleted.class, d -> assertThat(d.byId()).isEqualTo("u-mod"));
    }

    @Test
    void a_change_retried_with_its_client_id_is_applied_once() throws Exception {
        Message said = append("lobby", "tpyo");
        RoomEvent first = get(store.append(new NewEdit("lobby", said.seq(), "u-1", "typo", T0, "e-1")));

        RoomEvent retry = get(store.append(new NewEdit("lobby", said.seq(), "u-1", "typo", T0.plusSeconds(3), "e-1")));
        Message next = append("lobby", "next");

        assertThat(retry).isEqualTo(first);
        assertThat(next.seq()).isEqualTo(3);
    }

    @Test
    void changes_and_messages_sent_together_are_numbered_in_the_order_they_were_appended() throws Exception {
        Message said = append("lobby", "v0");
        List<CompletableFuture<RoomEvent>> all = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            all.add(store.append(i % 3 == 0
                    ? new NewEdit("lobby", said.seq(), "u-1", "v" + i, T0, null)
                    : new NewMessage("lobby", "u-1", "Ann", "m" + i, T0)));
        }

        List<Long> seqs = new ArrayList<>();
        for (CompletableFuture<RoomEvent> event : all) seqs.add(get(event).seq());
        assertThat(seqs).isSorted().doesNotHaveDuplicates().hasSize(30);
        assertThat(seqs.getLast()).isEqualTo(31);
        assertThat(get(store.before("lobby", 2, 1)).getFirst().text()).isEqualTo("v30");
    }

    // ---- replies and reactions

    @Test
    void a_reply_shows_its_original_as_it_now_is_in_history_and_replay() throws Exception {
        Message original = append("lobby", "shall we meet?\nat noon");
        Message reply = get(messages(store).append(new NewMessage("lobby", "u-2", "Bob", "yes", T0, null, original.seq())));

        assertThat(reply.quote()).isEqualTo(new Quote(1, "Ann", "shall we meet?…", false));
        get(store.append(new NewEdit("lobby", original.seq(), "u-1", "shall we eat?", T0, null)));
        assertThat(get(store.before("lobby", Long.MAX_VALUE, 10)).get(1).quote())
                .isEqualTo(new Quote(1, "Ann", "shall we eat?", false));
        get(store.append(new NewDeletion("lobby", original.seq(), "u-1", false, T0, null)));
        assertThat(get(store.before("lobby", Long.MAX_VALUE, 10)).get(1).quote())
                .as("a reply to a later-deleted message quotes nothing of it").isEqualTo(new Quote(1, "Ann", "", true));
        assertThat(StoredMessages.message(get(store.after("lobby", 1, 10)).getFirst()).quote().deleted()).isTrue();
    }

    @Test
    void a_reply_to_an_unknown_or_deleted_message_is_refused_and_takes_no_seq() throws Exception {
        Message gone = append("lobby", "oops");
        get(store.append(new NewDeletion("lobby", gone.seq(), "u-1", false, T0, null)));

        assertRefused(new NewMessage("lobby", "u-1", "Ann", "re", T0, null, 99), ChangeRefusedException.UNKNOWN);
        assertRefused(new NewMessage("lobby", "u-1", "Ann", "re", T0, null, gone.seq()), ChangeRefusedException.DELETED);
        assertThat(append("lobby", "next").seq()).isEqualTo(3);
    }

    @Test
    void reactions_are_events_one_per_person_per_emoji_and_history_counts_them() throws Exception {
        Message said = append("lobby", "news");

        RoomEvent ann = get(store.append(reaction(said, "u-1", "Ann", "👍", true)));
        RoomEvent bob = get(store.append(reaction(said, "u-2", "Bob", "👍", true)));
        assertRefused(reaction(said, "u-2", "Bob", "👍", true), ChangeRefusedException.ALREADY_REACTED);
        RoomEvent party = get(store.append(reaction(said, "u-2", "Bob", "🎉", true)));
        RoomEvent back = get(store.append(reaction(said, "u-1", "Ann", "👍", false)));
        assertRefused(reaction(said, "u-1", "Ann", "👍", false), ChangeRefusedException.NOT_REACTED);

        assertThat(List.of(ann, bob, party, back)).extracting(RoomEvent::seq).containsExactly(2L, 3L, 4L, 5L);
        assertThat(back).isInstanceOf(RoomEvent.Unreacted.class);
        List<Reaction> now = List.of(new Reaction("👍", "u-2", "Bob"), new Reaction("🎉", "u-2", "Bob"));
        assertThat(StoredMessages.message(back).reactions()).isEqualTo(now);
        assertThat(get(store.before("lobby", Long.MAX_VALUE, 10)).getFirst().reactions()).isEqualTo(now);
        assertThat(get(store.after("lobby", 3, 10))).as("replay carries the message as it now is")
                .allSatisfy(event -> assertThat(StoredMessages.message(event).reactions()).isEqualTo(now));
        get(store.append(new NewDeletion("lobby", said.seq(), "u-1", false, T0, null)));
        assertThat(get(store.before("lobby", Long.MAX_VALUE, 10)).getFirst().reactions()).isEmpty();
        assertRefused(reaction(said, "u-3", "Cy", "👍", true), ChangeRefusedException.DELETED);
    }

    @Test
    void a_message_takes_no_more_reactions_than_its_limit_and_a_retried_one_is_applied_once() throws Exception {
        Message said = append("lobby", "vote");
        for (int i = 0; i < Reaction.MAX_PER_MESSAGE; i++) {
            get(store.append(reaction(said, "u-" + i, "P" + i, Reaction.PALETTE.get(i % Reaction.PALETTE.size()), true)));
        }
        assertRefused(reaction(said, "u-late", "Late", "👀", true), ChangeRefusedException.TOO_MANY_REACTIONS);

        Message other = append("lobby", "other");
        NewReaction once = new NewReaction("lobby", other.seq(), "u-1", "Ann", "❤️", true, T0, "r-1");
        RoomEvent first = get(store.append(once));
        assertThat(get(store.append(once))).isEqualTo(first);
        assertThat(append("lobby", "next").seq()).isEqualTo(first.seq() + 1);
    }

    static NewReaction reaction(Message target, String userId, String name, String emoji, boolean add) {
        return new NewReaction(target.room(), target.seq(), userId, name, emoji, add, T0, null);
    }

    void assertRefused(NewEvent change, String reason) {
        assertThatThrownBy(() -> get(store.append(change)))
                .hasCauseInstanceOf(ChangeRefusedException.class)
                .cause().hasMessage(reason);
    }

    // ---- helpers ----

    Message append(String room, String text) throws Exception {
        return get(messages(store).append(new NewMessage(room, "u-1", "Ann", text, T0)));
    }

    void appendAll(String room, int count) throws Exception {
        for (int i = 1; i <= count; i++) append(room, "m" + i);
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    static List<String> texts(List<Message> messages) {
        return messages.stream().map(Message::text).toList();
    }
}
