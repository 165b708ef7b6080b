package chatroom;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real WebSocket client (the JDK's) that records every text frame it receives, for tests to wait on:
 * {@code client.awaitFrame(f -> f.contains("hello"))}. Waits poll a condition until a deadline; no test
 * sleeps for a fixed time.
 */
public final class WsClient implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern SEQ = Pattern.compile("id=\"m-(\\d+)\"");
    private static final Pattern TEXT = Pattern.compile("<p class=\"text\"[^>]*>(.*?)</p>", Pattern.DOTALL);

    private final List<String> frames = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private volatile String closeReason;
    /** When the close arrived (System.nanoTime), 0 before. */
    private volatile long closedAtNanos;
    private final WebSocket socket;

    private WsClient(URI uri, String... headers) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        this.socket = builder.buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            frames.add(partial.toString());
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                        closedAtNanos = System.nanoTime();
                        closeReason = reason;
                        closeCode.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closeCode.complete(1006);
                    }
                })
                .orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                .join();
    }

    /** Connects, with optional header name/value pairs such as {@code "Origin", "http://evil.example"}. */
    public static WsClient connect(URI uri, String... headers) {
        return new WsClient(uri, headers);
    }

    public List<String> frames() {
        return frames;
    }

    public void send(String text) {
        socket.sendText(text, true).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** Sends a WebSocket ping frame (not the page's text "ping"). */
    public void sendPing() {
        socket.sendPing(java.nio.ByteBuffer.wrap(new byte[] {1})).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** Sends a binary frame, which the page never does. */
    public void sendBinary(byte[] bytes) {
        socket.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** True once the server's close has arrived (or the connection broke). */
    public boolean closed() {
        return closeCode.isDone();
    }

    /** Sends a message the way the page's form does. */
    public void say(String message) {
        send("{\"message\":" + json(message) + ",\"HEADERS\":{\"HX-Request\":\"true\"}}");
    }

    /** Waits for a frame matching the condition and returns it. */
    public String awaitFrame(Predicate<String> condition) {
        return Await.until(() -> frames().stream().filter(condition).findFirst().orElse(null), "a matching frame",
                () -> "got " + frames());
    }

    /**
     * Waits for the history a page gets on joining with nothing shown (the frame that fills the whole list),
     * as a page's reader sees it before writing. A burst sent before it follows it: the history ends where the
     * room stood when the page joined, however late it is read.
     */
    public String awaitHistory() {
        return awaitFrame(f -> f.contains("<div id=\"messages\" hx-swap-oob=\"innerHTML\">"));
    }

    /** The texts of all messages received so far, in order, from live and history frames. */
    public List<String> messageTexts() {
        List<String> texts = new ArrayList<>();
        for (String frame : frames()) {
            Matcher m = TEXT.matcher(frame);
            while (m.find()) {
                texts.add(m.group(1));
            }
        }
        return texts;
    }

    /** The sequence numbers of all messages received so far, in order. */
    public List<Long> seqs() {
        List<Long> seqs = new ArrayList<>();
        for (String frame : frames()) {
            Matcher m = SEQ.matcher(frame);
            while (m.find()) {
                seqs.add(Long.parseLong(m.group(1)));
            }
        }
        return seqs;
    }

    public List<String> awaitMessages(int count) {
        // what arrived is told as it stands at the deadline, not as it stood when the wait began
        return Await.until(() -> messageTexts().size() >= count ? messageTexts() : null,
                count + " messages", () -> "got " + messageTexts());
    }

    /** When the server's close arrived ({@link System#nanoTime}), or 0 if it has not. */
    public long closedAtNanos() {
        return closedAtNanos;
    }

    /** The reason text of the server's close frame, once {@link #awaitClose} has returned; null before. */
    public String closeReason() {
        return closeReason;
    }

    public int awaitClose() {
        return closeCode.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    @Override
    public void close() {
        socket.abort();
    }
}
