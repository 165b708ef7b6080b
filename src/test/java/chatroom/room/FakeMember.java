package chatroom.room;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A member that records what it is sent, for tests of the room without sockets. */
class FakeMember implements Member {

    final List<String> received = new CopyOnWriteArrayList<>();
    volatile CloseReason closed;
    private volatile Author author;

    FakeMember(String userId, String name) {
        this.author = Author.of(userId, name);
    }

    @Override
    public java.util.concurrent.Executor executor() {
        return Runnable::run; // a fake writes at once, on whatever thread sends
    }

    @Override
    public Author author() {
        return author;
    }

    @Override
    public void rename(Author renamed) {
        author = renamed;
    }

    @Override
    public void send(Fragment fragment) {
        received.add(fragment.toString());
    }

    @Override
    public void close(CloseReason reason) {
        closed = reason;
    }

    /** The seqs of every message received, in order, from the fake views' "msg:<seq>:<text>" tokens. */
    List<Long> seqs() {
        Matcher m = Pattern.compile("msg:(\\d+):").matcher(String.join("|", received));
        List<Long> seqs = new java.util.ArrayList<>();
        while (m.find()) {
            seqs.add(Long.parseLong(m.group(1)));
        }
        return seqs;
    }
}
