package chatroom.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * The text every bench message carries, {@code bx:<runId>:<sender>:<n>:<sentNanos>}, and the scan that
 * finds this run's markers anywhere in a received frame. The text uses only characters that HTML
 * escaping leaves alone, so the marker survives any server's rendering; the random run id keeps
 * history replayed on join (earlier runs, warm-up of other runs) from being counted as live traffic.
 *
 * <p>Immutable and thread-safe; the scan works on the raw UTF-8 bytes without building a String,
 * because the receiving event loops call it for every frame (up to hundreds of thousands per second).
 */
final class MarkerScanner {

    /** Told about each marker of this run found in a frame, in frame order. */
    interface Sink {
        void marker(int sender, long n, long sentNanos);
    }

    private static final byte[] PREFIX = "bx:".getBytes(StandardCharsets.US_ASCII);
    private static final int RUN_ID_CHARS = 8;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

    private final String runId;
    private final byte[] runIdBytes;

    MarkerScanner(String runId) {
        this.runId = runId;
        this.runIdBytes = runId.getBytes(StandardCharsets.US_ASCII);
    }

    /** A fresh run id: 8 characters of [a-z0-9], about 41 random bits. */
    static String newRunId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(RUN_ID_CHARS);
        for (int i = 0; i < RUN_ID_CHARS; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    String runId() {
        return runId;
    }

    /** The message text for one send; sentNanos must be non-negative (nanos since the run's base). */
    String text(int sender, long n, long sentNanos) {
        return "bx:" + runId + ':' + sender + ':' + n + ':' + sentNanos;
    }

    /** The client→server frame payload carrying {@link #text}. */
    String frame(int sender, long n, long sentNanos) {
        return "{\"message\":\"" + text(sender, n, sentNanos) + "\"}";
    }

    /** Finds every marker of this run in the readable bytes (not consumed); returns how many. */
    int scan(ByteBuf content, Sink sink) {
        int length = content.readableBytes();
        byte[] bytes;
        int start;
        if (content.hasArray()) {
            bytes = content.array();
            start = content.arrayOffset() + content.readerIndex();
        } else {
            bytes = SCRATCH.get();
            if (bytes.length < length) {
                bytes = new byte[Math.max(length, bytes.length * 2)];
                SCRATCH.set(bytes);
            }
            content.getBytes(content.readerIndex(), bytes, 0, length);
            start = 0;
        }
        return scan(bytes, start, start + length, sink);
    }

    int scan(byte[] bytes, int from, int to, Sink sink) {
        int found = 0;
        int last = to - PREFIX.length - runIdBytes.length - 1;
        for (int i = from; i <= last; i++) {
            if (bytes[i] != 'b' || bytes[i + 1] != 'x' || bytes[i + 2] != ':') {
                continue;
            }
            int p = i + PREFIX.length;
            if (!matchesRunId(bytes, p) || bytes[p + runIdBytes.length] != ':') {
                continue;
            }
            p += runIdBytes.length + 1;
            long[] fields = new long[3];
            int end = parseFields(bytes, p, to, fields);
            if (end < 0) {
                continue;
            }
            sink.marker((int) fields[0], fields[1], fields[2]);
            found++;
            i = end - 1;
        }
        return found;
    }

    private boolean matchesRunId(byte[] bytes, int at) {
        for (int j = 0; j < runIdBytes.length; j++) {
            if (bytes[at + j] != runIdBytes[j]) {
                return false;
            }
        }
        return true;
    }

    /** Parses "sender:n:nanos" at p; returns the index after the last digit, or -1 if malformed. */
    private static int parseFields(byte[] bytes, int p, int to, long[] fields) {
        for (int f = 0; f < fields.length; f++) {
            if (f > 0) {
                if (p >= to || bytes[p] != ':') {
                    return -1;
                }
                p++;
            }
            int digitsStart = p;
            long value = 0;
            while (p < to && bytes[p] >= '0' && bytes[p] <= '9' && p - digitsStart < 19) {
                value = value * 10 + (bytes[p] - '0');
                p++;
            }
            if (p == digitsStart) {
                return -1;
            }
            fields[f] = value;
        }
        return p;
    }
}
