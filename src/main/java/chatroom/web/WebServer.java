package chatroom.web;

import chatroom.Config;
import chatroom.metrics.Meters;
import chatroom.room.Member;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP and WebSocket server: Netty's codecs under our route table. Every connection starts with
 * the HTTP pipeline below; a WebSocket upgrade swaps it for frames and a {@link WebSocketMember}.
 *
 * <pre>
 *   codec (HttpServerCodec, bounded line and headers) → compressor (gzip) → aggregator (bounded body)
 *   → http (HttpHandler, shared by all connections)
 * </pre>
 *
 * with {@link HttpTimeouts} on both sides of the codec, closing connections that start a request and
 * do not finish it, or stay idle between requests. The listener itself backs off when accepting fails
 * ({@link AcceptErrors}).
 */
public final class WebServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    static final int MAX_REQUEST_LINE_BYTES = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** Sockets are closed in this many batches when draining (fewer if there are fewer sockets). */
    private static final int DRAIN_BATCHES = 20;
    /** Smaller responses are not worth compressing. */
    private static final int COMPRESS_FROM_BYTES = 1024;
    /** Files the process holds besides client sockets: jars, the database and its journal, the listener, epoll. */
    static final int FILES_BESIDES_SOCKETS = 200;

    private final EventLoopGroup group;
    private final ChannelGroup sockets = new DefaultChannelGroup("websockets", GlobalEventExecutor.INSTANCE);
    private final Class<? extends ServerSocketChannel> serverChannel;
    private Channel listener;

    /** How sockets are driven: io_uring and epoll are Linux's native ways, NIO works everywhere. */
    public enum Transport {
        /** io_uring if this kernel allows it, else epoll, else NIO. */
        AUTO,
        IO_URING,
        EPOLL,
        NIO
    }

    /**
     * Completions an io_uring event loop can hold before the kernel queues them aside (Netty's default is
     * twice its 4,096 submissions). A crowd joining sends each newcomer's people list and every member the
     * changes, and one loop turn of a 20k-socket storm completes more sends than 8,192: the kernel keeps
     * the rest aside (nothing is lost), the loop takes a slower path and Netty logs a warning each time —
     * 37 and 60 of them in two storms of 19,900 joins here, 4 with this size. 16 bytes an entry: 512 KB per
     * loop, no more RSS per idle socket than the runs' spread.
     */
    private static final int COMPLETION_QUEUE_ENTRIES = 32_768;

    private final String transportName;

    /** The event loops; rooms get one each too, so a room's work shares threads with its sockets. */
    public WebServer(Transport transport) {
        Transport chosen = transport == Transport.AUTO
                ? IoUring.isAvailable() ? Transport.IO_URING : Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO
                : transport;
        IoHandlerFactory io = switch (chosen) {
            case IO_URING -> IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setCqSize(COMPLETION_QUEUE_ENTRIES));
            case EPOLL -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
        this.serverChannel = switch (chosen) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
        this.transportName = chosen.name().toLowerCase(Locale.ROOT);
        // one event loop per core: more only adds hand-offs and context switches between them
        this.group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    }

    /** A single-threaded executor for a room: one of the event loops, in turn. */
    public ScheduledExecutorService nextExecutor() {
        return group.next();
    }

    /** Open WebSocket connections: the one count of connections, for {@code /status} and the status log. */
    public int connectionCount() {
        return sockets.size();
    }

    /** How sockets are driven: io_uring, epoll or nio. */
    public String transport() {
        return transportName;
    }

    /** For each event loop, how many tasks wait in its queue: a loop falling behind shows here first. */
    public List<IntSupplier> pendingTasksPerLoop() {
        List<IntSupplier> loops = new ArrayList<>();
        for (EventExecutor loop : group) {
            if (loop instanceof SingleThreadEventExecutor queued) {
                loops.add(queued::pendingTasks);
            }
        }
        return loops;
    }

    /** Wires the routes and starts listening where the web layer's settings say; returns the port bound. */
    public int start(Web web) throws InterruptedException {
        HttpHandler http = web.httpHandler(sockets);
        Config.Listen listen = web.listen();
        int sendQueueBytes = web.limits().sendQueueBytes();
        fileLimitWarning(openFileLimit(), web.limits().maxConnections()).ifPresent(log::warn);
        DirectMemory.uncappedWarning().ifPresent(log::warn);
        watchForSilentSockets(listen.socketIdle());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .handler(new AcceptErrors())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(sendQueueBytes / 2, sendQueueBytes))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("codec", new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, 8192))
                                .addLast("compressor", new HttpContentCompressor(COMPRESS_FROM_BYTES, StandardCompressionOptions.gzip()))
                                .addLast("aggregator", new BoundedAggregator(http))
                                .addLast("http", http);
                        HttpTimeouts.install(ch.pipeline(), "codec", listen.requestTimeout(), listen.httpIdle());
                    }
                });
        listener = bootstrap.bind(new InetSocketAddress(listen.host(), listen.port())).sync().channel();
        int bound = ((InetSocketAddress) listener.localAddress()).getPort();
        return bound;
    }

    /**
     * Says what is wrong when the process may open fewer files than {@code --max-connections} needs:
     * every socket is a file, and a server out of them can accept nobody. Empty when the limit is enough
     * or cannot be known (not a Unix JVM).
     */
    static Optional<String> fileLimitWarning(long openFileLimit, int maxConnections) {
        long needed = (long) maxConnections + FILES_BESIDES_SOCKETS;
        if (openFileLimit < 0 || openFileLimit >= needed) {
            return Optional.empty();
        }
        return Optional.of("open-file limit is " + openFileLimit + "; --max-connections " + maxConnections
                + " needs about " + needed + " (one per socket, plus " + FILES_BESIDES_SOCKETS
                + " for the JVM, database and listener). Raise it (ulimit -n " + needed
                + ", LimitNOFILE= in a systemd unit) or lower --max-connections.");
    }

    /** The most files this process may open, or -1 when the JVM cannot tell. */
    private static long openFileLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount()
                : -1;
    }

    /** Every half idle period, pings silent sockets and closes the ones that stayed silent; see {@link WebSocketMember#checkAlive}. */
    private void watchForSilentSockets(Duration socketIdle) {
        long idleNanos = socketIdle.toNanos();
        long periodMillis = Math.max(100, socketIdle.toMillis() / 2);
        group.next().scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            for (Channel socket : sockets) {
                WebSocketMember member = socket.pipeline().get(WebSocketMember.class);
                if (member != null) {
                    member.checkAlive(now, idleNanos);
                }
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Collects a request's body up to the limit; beyond it, answers 413 with our own error page and closes. */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private final HttpHandler http;

        BoundedAggregator(HttpHandler http) {
            super(MAX_BODY_BYTES);
            this.http = http;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            http.writeError(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "The request body is over " + MAX_BODY_BYTES / 1024 + " KiB, the most this server reads.");
        }
    }

    /**
     * Closes the sockets gradually, for a node leaving a cluster: first waits half the window, so the
     * load balancer sees this node unready (the caller has already turned it unready and it refuses new
     * sockets), then closes the sockets with 1012 in batches spread over the other half, in random order,
     * so that their pages reconnect to the other nodes a few at a time instead of all at once. Then
     * {@link #close}. Blocks the calling thread (the shutdown hook) for about the window.
     */
    public void closeGradually(Duration window) {
        if (!window.isPositive()) {
            close();
            return;
        }
        long halfMillis = window.toMillis() / 2;
        log.info("draining: {} sockets closing over the next {} ms", sockets.size(), window.toMillis());
        try {
            Thread.sleep(halfMillis);
            List<Channel> open = new ArrayList<>(sockets);
            Collections.shuffle(open);
            int batches = Math.max(1, Math.min(DRAIN_BATCHES, open.size()));
            long pauseMillis = halfMillis / batches;
            for (int b = 0; b < batches; b++) {
                int from = open.size() * b / batches;
                int to = open.size() * (b + 1) / batches;
                Member.CloseReason restart = Member.CloseReason.RESTARTING;
                Meters.closedByServer(restart.code, to - from);
                for (Channel socket : open.subList(from, to)) {
                    socket.writeAndFlush(ControlFrames.close(socket.alloc(), restart.code, restart.text))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                Thread.sleep(pauseMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close the rest at once
        }
        close();
    }

    /**
     * Stops accepting, closes every WebSocket with 1012 so that pages reconnect (to this server once it
     * is back, or to another node), and stops the event loops.
     */
    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        Member.CloseReason restart = Member.CloseReason.RESTARTING;
        Meters.closedByServer(restart.code, sockets.size());
        sockets.writeAndFlush(ControlFrames.close(ByteBufAllocator.DEFAULT, restart.code, restart.text))
                .awaitUninterruptibly(2, TimeUnit.SECONDS);
        sockets.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
