package chatroom.cluster;

import chatroom.Await;
import chatroom.ChildServer;
import chatroom.WsClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A room's page as a test sees it, without a browser: one socket at a time, to any node, doing what
 * the page's script does. It connects with {@code ?after=} the newest seq it shows, gives every message
 * an id, and after a reconnect sends again what never came back. It records every message it is
 * shown, in order, across all its sockets, so a test can check the page's invariants: seqs increasing
 * by one, each once.
 */
final class Page implements AutoCloseable {

    private static final Pattern MESSAGE = Pattern.compile(
            "<article class=\"msg\" id=\"m-(\\d+)\"([^>]*)>.*?<p class=\"text\"[^>]*>(.*?)</p>", Pattern.DOTALL);
    private static final Pattern SEQ = Pattern.compile("id=\"m-(\\d+)\"");
    private static final Pattern CLIENT_ID = Pattern.compile(" data-cid=\"([^\"]*)\"");
    private static final Pattern NOTICE = Pattern.compile("<p class=\"notice\">(.*?)</p>", Pattern.DOTALL);
    private static final Pattern ERROR = Pattern.compile("id=\"composer-error\"[^>]*>(.*?)</div>", Pattern.DOTALL);
    private static final Pattern PRESENCE = Pattern.compile("<ul id=\"presence\"[^>]*>(.*?)</ul>", Pattern.DOTALL);
    private static final Pattern AUTHOR = Pattern.compile("data-author=\"([^\"]*)\"");
    private static final Pattern TAG = Pattern.compile("<[^>]*>");

    record Shown(long seq, String text, String cid) {}

    private final String room;
    private final String cookie;
    private final List<Shown> shown = new ArrayList<>();
    /** Client id → text, in the order sent, for messages not yet seen back. */
    private final Map<String, String> unconfirmed = new LinkedHashMap<>();
    private WsClient socket;
    private int sockets;
    private final List<String> summaries = new ArrayList<>();
    /** "ann joined", "bob left": every notice shown, across sockets, as plain text. */
    private final List<String> notices = new ArrayList<>();
    /** Errors shown above the message box, such as "Your message was not sent…". */
    private final List<String> errors = new ArrayList<>();
    /** The people listed the last time the page was told who is here (their tags), on this socket. */
    private List<String> here = List.of();
    private int framesRead;

    Page(String room, String cookie) {
        this.room = room;
        this.cookie = cookie;
    }

    /** Opens a socket to the node, asking for what came after the newest message shown. */
    Page connect(ChildServer node) {
        read(); // what the old socket brought before it went
        // as the page's script does: the newest seq shown, 0 when none
        String query = "?after=" + (shown.isEmpty() ? 0 : shown.getLast().seq());
        List<String> headers = new ArrayList<>(List.of("Origin", "http://127.0.0.1:" + node.port));
        if (cookie != null) {
            headers.addAll(List.of("Cookie", cookie));
        }
        here = List.of();
        socket = WsClient.connect(node.ws("/r/" + room + "/ws" + query), headers.toArray(String[]::new));
        sockets++;
        summaries.add("connect " + sockets + " " + query);
        framesRead = 0;
        return this;
    }

    /** Sends a message with a new client id, as the page's form does. */
    synchronized String say(String text) {
        String cid = UUID.randomUUID().toString().replace("-", "");
        unconfirmed.put(cid, text);
        send(text, cid);
        return cid;
    }

    /** Sends a frame as it is (an edit, a deletion), outside the page's outbox. */
    synchronized void sendFrame(String json) {
        socket.send(json);
    }

    private void send(String text, String cid) {
        socket.send("{\"message\":\"" + text + "\",\"cid\":\"" + cid + "\"}");
    }

    /** Waits until the page has been shown the socket's catch-up, then sends again what never came back. */
    synchronized void resendUnconfirmed() {
        read();
        for (Map.Entry<String, String> e : new ArrayList<>(unconfirmed.entrySet())) {
            send(e.getValue(), e.getKey());
        }
    }

    /** Reads the frames the socket has received since last time. */
    synchronized List<Shown> read() {
        if (socket != null) {
            List<String> frames = socket.frames();
            for (; framesRead < frames.size(); framesRead++) {
                String frame = frames.get(framesRead);
                Matcher seqs = SEQ.matcher(frame);
                StringBuilder summary = new StringBuilder("socket " + sockets + ": " + frame.substring(0, Math.min(60, frame.length())).replace('\n', ' ') + " seqs");
                while (seqs.find()) summary.append(' ').append(seqs.group(1));
                summaries.add(summary.toString());
                Matcher notice = NOTICE.matcher(frame);
                while (notice.find()) notices.add(TAG.matcher(notice.group(1)).replaceAll(""));
                Matcher error = ERROR.matcher(frame);
                while (error.find()) errors.add(error.group(1));
                // a frame may hold several lists (coalesced updates): the page shows the last one
                for (Matcher presence = PRESENCE.matcher(frame); presence.find(); ) {
                    List<String> tags = new ArrayList<>();
                    for (Matcher author = AUTHOR.matcher(presence.group(1)); author.find(); ) tags.add(author.group(1));
                    here = List.copyOf(tags);
                }
                Matcher m = MESSAGE.matcher(frame);
                while (m.find()) {
                    Matcher cid = CLIENT_ID.matcher(m.group(2));
                    Shown message = new Shown(Long.parseLong(m.group(1)), m.group(3), cid.find() ? cid.group(1) : null);
                    shown.add(message);
                    if (message.cid() != null) {
                        unconfirmed.remove(message.cid());
                    }
                }
            }
        }
        return List.copyOf(shown);
    }

    List<Shown> awaitShown(int count) {
        return Await.until(() -> read().size() >= count ? read() : null, room + ": " + count + " messages shown", () -> {
            java.util.Set<Long> seen = new java.util.TreeSet<>(seqs());
            List<Long> missing = new ArrayList<>();
            for (long seq = 1; seq <= count; seq++) {
                if (!seen.contains(seq)) missing.add(seq);
            }
            return "got " + read().size() + "; missing " + missing + "; order " + seqs();
        });
    }

    synchronized Map<String, String> unconfirmed() {
        read();
        return new HashMap<>(unconfirmed);
    }

    synchronized List<String> notices() {
        read();
        return List.copyOf(notices);
    }

    synchronized List<String> errors() {
        read();
        return List.copyOf(errors);
    }

    /** The tags of the people the page lists as here, as it was last told on its current socket. */
    synchronized List<String> here() {
        read();
        return here;
    }

    List<Long> seqs() {
        return read().stream().map(Shown::seq).toList();
    }

    /** Waits for a frame on the current socket that matches. */
    String awaitFrame(java.util.function.Predicate<String> condition) {
        return socket.awaitFrame(condition);
    }

    /** Waits until the room has taken this socket in (its presence list arrived). */
    Page joined() {
        awaitFrame(f -> f.contains("id=\"presence\""));
        return this;
    }

    long closedAtNanos() {
        return socket.closedAtNanos();
    }

    /** Waits for the server to close the socket; its close code. */
    int awaitClose() {
        return socket.awaitClose();
    }

    /** For a failure message: each frame of every socket read so far, shortened. */
    synchronized String frameSummary() {
        return String.join("\n", summaries);
    }


    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
    }
}
