package chatroom.web;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Room churn, as an attacker runs it: each of several loops opens a WebSocket to a room name never used
 * before, waits for the first frame and hangs up, again and again. Plain sockets, so that one loop makes
 * hundreds of rooms a second (a client library's per-connection set-up would be the bottleneck). Counts
 * what the server answered: rooms entered, refusals by HTTP status, closes by code, and the Retry-After
 * headers of the 429s.
 */
final class Churner implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 10_000;

    private final int port;
    private final String[] headers;
    private final List<Thread> loops = new ArrayList<>();
    private volatile boolean stopping;

    /** Rooms entered: upgraded, and a first frame that is not a close. */
    final LongAdder entered = new LongAdder();
    /** Upgrades answered with something other than 101, by status. */
    final Map<Integer, LongAdder> refusedByStatus = new ConcurrentHashMap<>();
    /** Upgrades whose first frame was a close, by close code. */
    final Map<Integer, LongAdder> closedByCode = new ConcurrentHashMap<>();
    /** A Retry-After header of a 429, as sent; null while none came. */
    volatile String retryAfter;
    /** The body of a 429, as sent. */
    volatile String refusalBody;
    /** Connections that failed without an answer (reset, timed out). */
    final LongAdder broken = new LongAdder();
    private final AtomicLong nextRoom = new AtomicLong();

    /** {@code headers}: extra request header lines, e.g. {@code "X-Forwarded-For: 203.0.113.7"}. */
    private Churner(int port, String... headers) {
        this.port = port;
        this.headers = headers;
    }

    static Churner start(int port, int loopCount, String roomPrefix, String... headers) {
        Churner churner = new Churner(port, headers);
        for (int i = 0; i < loopCount; i++) {
            Thread loop = new Thread(() -> churner.run(roomPrefix), "churn-" + i);
            loop.setDaemon(true);
            churner.loops.add(loop);
            loop.start();
        }
        return churner;
    }

    long refused(int status) {
        LongAdder count = refusedByStatus.get(status);
        return count == null ? 0 : count.sum();
    }

    long closed(int code) {
        LongAdder count = closedByCode.get(code);
        return count == null ? 0 : count.sum();
    }

    private void run(String roomPrefix) {
        while (!stopping) {
            try {
                once(roomPrefix + "-" + nextRoom.incrementAndGet());
            } catch (IOException e) {
                broken.increment();
            }
        }
    }

    private void once(String room) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            StringBuilder request = new StringBuilder("GET /r/" + room + "/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String head = readHead(in);
            int status = Integer.parseInt(head.substring(9, 12));
            if (status != 101) {
                refusedByStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
                if (status == 429) {
                    retryAfter = header(head, "retry-after");
                    int length = Integer.parseInt(header(head, "content-length"));
                    byte[] body = new byte[length];
                    in.readFully(body);
                    refusalBody = new String(body, StandardCharsets.UTF_8);
                }
                return;
            }
            int first = in.readUnsignedByte();
            int length = in.readUnsignedByte() & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = (int) in.readLong();
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            if ((first & 0x0f) == 0x8) {
                int code = length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                closedByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
            } else {
                entered.increment();
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        for (Thread loop : loops) {
            loop.join(TIMEOUT_MILLIS * 2L);
        }
    }
}
