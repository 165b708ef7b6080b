package chatroom.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a Redis that can make the pub/sub connections through it go silent while
 * their sockets stay open: what a subscription wedged behind a failover or a NAT that forgot the flow
 * looks like to the client (no close, no error, nothing arrives). Connections opened after the freeze
 * pass bytes normally. One platform thread per direction per connection; for a handful of test
 * connections only.
 */
final class FreezingProxy implements AutoCloseable {

    private final int targetPort;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile boolean holdingSubscribers;

    FreezingProxy(int targetPort) throws IOException {
        this(targetPort, 0);
    }

    /** On a port of the test's choosing (0: any free one), e.g. one a node was told to use before anything listened there. */
    FreezingProxy(int targetPort, int port) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String url() {
        return "redis://127.0.0.1:" + port();
    }

    /** Stops every connection that has sent SUBSCRIBE from passing bytes, either way; returns how many. */
    int freezeSubscribers() {
        int frozen = 0;
        for (Link link : links) {
            if (link.subscriber) {
                link.frozen = true;
                frozen++;
            }
        }
        return frozen;
    }

    /**
     * While on, a SUBSCRIBE and whatever follows it on its connection are held back on their way to
     * Redis (not lost): a subscription slow to take effect, so that what is published meanwhile is not
     * heard. Turning it off lets them through, in order.
     */
    void holdSubscribes(boolean hold) {
        holdingSubscribers = hold;
    }

    /** Stops every connection open now from passing bytes, either way; returns how many. */
    int freezeAll() {
        for (Link link : links) {
            link.frozen = true;
        }
        return links.size();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Link link : links) {
            link.close();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                Link link = new Link(client, upstream);
                links.add(link);
                link.start();
            } catch (IOException e) {
                // closed, or the target is down: the client sees its connection fail and retries
            }
        }
    }

    private final class Link {

        final Socket client;
        final Socket upstream;
        volatile boolean subscriber;
        volatile boolean frozen;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() throws IOException {
            pump(client.getInputStream(), upstream.getOutputStream(), true);
            pump(upstream.getInputStream(), client.getOutputStream(), false);
        }

        private void pump(InputStream in, OutputStream out, boolean fromClient) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (fromClient && new String(buffer, 0, n, StandardCharsets.ISO_8859_1)
                                .toUpperCase(Locale.ROOT).contains("SUBSCRIBE")) {
                            subscriber = true;
                        }
                        while ((frozen || (fromClient && subscriber && holdingSubscribers)) && !closed) {
                            Thread.sleep(50); // holding the bytes: frozen links never thaw, held replies do
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // closed
                }
                close();
            }, "proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        void close() {
            try {
                client.close();
                upstream.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
