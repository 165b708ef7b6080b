package chatroom.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Pages in one room taking turns, for fault tests: in each round every page says one thing and waits to
 * see it back, so the sends spread over the fault instead of all leaving at once. Remembers every text
 * said, for the final count.
 */
final class Conversation {

    final List<Page> pages = new ArrayList<>();
    final List<String> said = new ArrayList<>();

    Page add(Page page) {
        pages.add(page);
        return page;
    }

    /** Every page says "p{i}{label}", then waits until each has seen its own message back. */
    void round(String label) {
        sayOnce(label);
        Invariants.awaitConfirmed(pages);
    }

    /** Every page says "p{i}{label}" without waiting for anything. */
    void sayOnce(String label) {
        for (int i = 0; i < pages.size(); i++) {
            String text = "p" + i + label;
            pages.get(i).say(text);
            said.add(text);
        }
    }

    void close() {
        pages.forEach(Page::close);
    }
}
