package chatroom.web;

import chatroom.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a raw socket, for what no client library sends or does: text frames that are
 * not UTF-8, fragments, unmasked or malformed frames, and a peer that never reads what it is sent. Frames go out masked, as a browser's do.
 */
final class RawWebSocket implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and upgrades; {@code receiveBufferBytes} above 0 shrinks the socket's receive buffer (a slow reader). */
    static RawWebSocket open(TestServer server, String path, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) TIMEOUT.toMillis());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        RawWebSocket ws = new RawWebSocket(socket);
        ws.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        String head = ws.readHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new AssertionError("upgrade refused: " + head);
        }
        return ws;
    }

    /** Sends one final text frame with exactly these payload bytes. */
    void sendText(byte[] payload) throws IOException {
        sendFrame(0x81, payload, true); // FIN, text
    }

    /**
     * Sends one frame: {@code first} is its first byte (FIN, reserved bits, opcode) as it goes on the
     * wire; {@code masked} false sends what no browser would.
     */
    void sendFrame(int first, byte[] payload, boolean masked) throws IOException {
        sendRaw(frame(first, payload, masked));
    }

    /** Writes these bytes as they are: frames, several at once, or a frame's first part. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The bytes of one frame, as {@link #sendFrame} sends it. */
    static byte[] frame(int first, byte[] payload, boolean masked) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(first);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(maskBit | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(maskBit | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(maskBit | 127);
            frame.writeBytes(new byte[4]);
            frame.write(payload.length >>> 24);
            frame.write((payload.length >>> 16) & 0xff);
            frame.write((payload.length >>> 8) & 0xff);
            frame.write(payload.length & 0xff);
        }
        byte[] mask = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(mask);
            frame.writeBytes(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    /** A frame from the server: its opcode and payload. */
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Reads the next frame from the server (waiting up to the socket's timeout). */
    Frame nextFrame() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        return new Frame(first & 0x0f, in.readNBytes((int) length));
    }

    /**
     * Reads frames until the text frames read so far contain every one of {@code parts}, and returns
     * them joined; fails on a close frame. Several messages may come in one frame.
     */
    String awaitTexts(String... parts) throws IOException {
        StringBuilder texts = new StringBuilder();
        while (!Arrays.stream(parts).allMatch(part -> texts.indexOf(part) >= 0)) {
            Frame frame = nextFrame();
            if (frame.opcode() == 0x8) {
                throw new AssertionError("closed while waiting for " + Arrays.toString(parts) + "; read: " + texts);
            }
            if (frame.opcode() == 0x1) {
                texts.append(frame.text());
            }
        }
        return texts.toString();
    }

    /** A close frame's status code (1005 if it carries none) and reason. */
    record Close(int code, String reason) {}

    /** Reads frames until a close frame and returns it. */
    Close awaitClose() throws IOException {
        while (true) {
            Frame frame = nextFrame();
            byte[] payload = frame.payload();
            if (frame.opcode() == 0x8) {
                return payload.length < 2
                        ? new Close(1005, "")
                        : new Close(((payload[0] & 0xff) << 8) | (payload[1] & 0xff),
                                new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
            }
        }
    }

    /** Reads frames until a close frame and returns its status code (1005 if it carries none). */
    int awaitCloseCode() throws IOException {
        while (true) {
            Frame frame = nextFrame();
            byte[] payload = frame.payload();
            if (frame.opcode() == 0x8) {
                return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
            }
        }
    }

    private String readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed during the upgrade: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
