package chatroom.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket client connections for the bench, all on one event loop group sized to the cores (epoll
 * when available): no thread per connection, and after the handshake a connection holds only
 * Netty's frame decoder/encoder, a frame aggregator (text may arrive fragmented) and one shared
 * frame handler, so one process can hold ~20,000 idle sockets cheaply.
 *
 * <p>Each connection has a {@link Listener} (stored as a channel attribute, often shared by many
 * connections) that is called on the connection's event loop for every text message. The upgrade
 * request carries no Origin header: Chatroom allows non-browser clients without one.
 */
final class WsClientPool implements AutoCloseable {

    /** Told about a connection's traffic, always on that connection's event loop. */
    interface Listener {
        /** A whole text message; content is released after the call returns. */
        void text(Channel channel, ByteBuf content);

        default void closed(Channel channel) {}
    }

    private static final AttributeKey<Listener> LISTENER = AttributeKey.valueOf("chatroom.bench.listener");
    private static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;
    private static final int MAX_HANDSHAKE_RESPONSE_BYTES = 64 * 1024;
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(15);

    private final EventLoopGroup group;
    private final String transport;
    private final Bootstrap base;
    private final FrameHandler frames = new FrameHandler();

    WsClientPool(int threads) {
        IoHandlerFactory io = NioIoHandler.newFactory();
        Class<? extends SocketChannel> channelType = NioSocketChannel.class;
        try {
            // epoll is a runtime-scoped dependency (not on the compile class path), hence reflection
            if ((boolean) Class.forName("io.netty.channel.epoll.Epoll").getMethod("isAvailable").invoke(null)) {
                io = (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler").getMethod("newFactory").invoke(null);
                channelType = Class.forName("io.netty.channel.epoll.EpollSocketChannel").asSubclass(SocketChannel.class);
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            // no native epoll here (not Linux, or the jar is missing): NIO works, a little slower
        }
        this.transport = channelType.getSimpleName();
        this.group = new MultiThreadIoEventLoopGroup(threads, io);
        this.base = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) HANDSHAKE_TIMEOUT.toMillis());
    }

    /**
     * Opens a connection and completes when the WebSocket handshake is done (or fails). With a
     * localAddress the socket is bound to it first, so callers can spread ports over 127.0.0.x.
     */
    CompletableFuture<Channel> connect(URI uri, InetAddress localAddress, Listener listener) {
        CompletableFuture<Channel> opened = new CompletableFuture<>();
        InetSocketAddress remote;
        try {
            remote = new InetSocketAddress(InetAddress.getByName(uri.getHost()), port(uri));
        } catch (UnknownHostException e) {
            opened.completeExceptionally(e);
            return opened;
        }
        Bootstrap bootstrap = base.clone().attr(LISTENER, listener).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                channel.pipeline()
                        .addLast("http-codec", new HttpClientCodec())
                        .addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE_BYTES))
                        .addLast("ws-handshake", new Handshake(uri, opened));
            }
        });
        ChannelFuture connecting = localAddress == null
                ? bootstrap.connect(remote)
                : bootstrap.connect(remote, new InetSocketAddress(localAddress, 0));
        connecting.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                opened.completeExceptionally(f.cause());
            }
        });
        return opened;
    }

    /** Sends one text frame; callable from any thread (Netty queues it onto the channel's loop). */
    static void send(Channel channel, String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
    }

    /** Sends a close frame and closes the socket without waiting for the server's answer. */
    static ChannelFuture close(Channel channel) {
        if (!channel.isActive()) {
            return channel.close();
        }
        channel.writeAndFlush(new CloseWebSocketFrame());
        return channel.close();
    }

    /** EpollSocketChannel or NioSocketChannel, for the report. */
    String transport() {
        return transport;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static int port(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "wss".equals(uri.getScheme()) ? 443 : 80;
    }

    /** Per connection until the 101 arrives; then replaced by the aggregator and the shared handler. */
    private final class Handshake extends ChannelInboundHandlerAdapter {
        private final WebSocketClientHandshaker handshaker;
        private final CompletableFuture<Channel> opened;

        Handshake(URI uri, CompletableFuture<Channel> opened) {
            this.opened = opened;
            this.handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                    uri, WebSocketVersion.V13, null, false, EmptyHttpHeaders.INSTANCE, MAX_FRAME_BYTES,
                    true, false, -1, false, false); // last: generateOriginHeader = false
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            handshaker.handshake(ctx.channel());
            ctx.executor().schedule(() -> {
                if (opened.completeExceptionally(new IllegalStateException("no handshake answer within " + HANDSHAKE_TIMEOUT))) {
                    ctx.close();
                }
            }, HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpResponse response)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                handshaker.finishHandshake(ctx.channel(), response);
                ctx.pipeline().replace(this, "ws-aggregator", new WebSocketFrameAggregator(MAX_FRAME_BYTES));
                ctx.pipeline().addAfter("ws-aggregator", "ws-frames", frames);
                opened.complete(ctx.channel());
            } catch (RuntimeException e) {
                opened.completeExceptionally(e);
                ctx.close();
            } finally {
                response.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            opened.completeExceptionally(new IllegalStateException("connection closed during the handshake"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            opened.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** Shared by every open connection: hands text to the connection's listener, answers pings. */
    @ChannelHandler.Sharable
    private static final class FrameHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
                return;
            }
            try {
                if (msg instanceof TextWebSocketFrame text) {
                    ctx.channel().attr(LISTENER).get().text(ctx.channel(), text.content());
                } else if (msg instanceof CloseWebSocketFrame) {
                    ctx.close();
                }
            } finally {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ctx.channel().attr(LISTENER).get().closed(ctx.channel());
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
