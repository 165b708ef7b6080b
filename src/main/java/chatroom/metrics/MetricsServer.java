package chatroom.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management port: {@code GET /metrics} in Prometheus's text format, nothing else. Bound to
 * {@code --metrics-host} (loopback unless told otherwise: the meters name rooms' counts and the
 * machine's insides, which are for operators, not visitors).
 *
 * <p>Netty on an event loop of its own (one daemon thread, {@code metrics-http}), not the web server's: a
 * scrape then never waits behind the loops it measures, and when they are saturated or stuck, which is when
 * an operator looks, the scrape still answers and its queue-depth gauges show it. Its reads never block, so a
 * connection that sends half a request costs a socket, not the thread (the JDK's HTTP server this replaced
 * read each request on a pool thread: one stalled client held its one thread, and every scrape waited). Each
 * connection has {@link #REQUEST_TIMEOUT} from its accept to send its request and take the answer, then it is
 * closed, whether or not bytes keep trickling in; one request per connection ({@code Connection: close}). At
 * most {@link #MAX_CONNECTIONS} are open: a new one beyond that closes the oldest still waiting for its
 * request, so connections left open cannot keep a scraper out. All state lives on the one thread.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** From accept to the answer written: Prometheus sends its request at once and reads a local answer in ms. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Open connections at once; scrapers are a few, each with one connection at a time. */
    static final int MAX_CONNECTIONS = 64;

    private static final int MAX_REQUEST_LINE_BYTES = 4096;
    private static final int MAX_HEADER_BYTES = 8192;
    /** A scrape has no body; room for a small one, so that a POST gets its 405 rather than a 413. */
    private static final int MAX_BODY_BYTES = 1024;

    private final EventLoopGroup loop;
    private final Channel listener;

    private MetricsServer(EventLoopGroup loop, Channel listener) {
        this.loop = loop;
        this.listener = listener;
    }

    /** Listens on {@code host:port} (port 0 picks a free one); throws if it cannot bind. */
    public static MetricsServer start(String host, int port) throws IOException {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("metrics-http", true), NioIoHandler.newFactory());
        Connections connections = new Connections();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast(connections)
                                .addLast(new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, MAX_BODY_BYTES))
                                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast(new Scrapes(connections));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            if (bound.cause() instanceof IOException e) throw e;
            throw new IOException(bound.cause().getMessage(), bound.cause());
        }
        return new MetricsServer(loop, bound.channel());
    }

    /** The port bound. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * The open connections, and which of them still wait for their request, oldest first: the cap and the
     * timeout. One instance for the listener; it runs on the one event loop only.
     */
    @ChannelHandler.Sharable
    private static final class Connections extends ChannelInboundHandlerAdapter {

        private final Set<Channel> open = new HashSet<>();
        private final ArrayDeque<Channel> waiting = new ArrayDeque<>();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel channel = ctx.channel();
            if (open.size() >= MAX_CONNECTIONS) {
                Channel oldest = waiting.pollFirst();
                if (oldest == null) {
                    // every one is taking its answer, each within the timeout: this one can come back
                    log.debug("metrics: {}: {} connections open, all being answered; closing",
                            channel.remoteAddress(), open.size());
                    channel.close();
                    return;
                }
                log.debug("metrics: {}: {} connections open; closing the oldest still waiting for its request, {}",
                        channel.remoteAddress(), open.size(), oldest.remoteAddress());
                open.remove(oldest);
                oldest.close();
            }
            open.add(channel);
            waiting.addLast(channel);
            ctx.executor().schedule(() -> {
                if (channel.isOpen()) {
                    log.debug("metrics: {}: no whole request and answer within {} ms; closing",
                            channel.remoteAddress(), REQUEST_TIMEOUT.toMillis());
                    channel.close();
                }
            }, REQUEST_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            ctx.fireChannelActive();
        }

        /** Its request is read: it is being answered, and no longer the one to close for a newcomer. */
        void answering(Channel channel) {
            waiting.remove(channel);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open.remove(ctx.channel());
            waiting.remove(ctx.channel());
            ctx.fireChannelInactive();
        }
    }

    /** One request, one answer, then the connection closes. */
    private static final class Scrapes extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final Connections connections;

        Scrapes(Connections connections) {
            this.connections = connections;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            connections.answering(ctx.channel());
            HttpMethod method = request.method();
            FullHttpResponse response;
            if (!request.decoderResult().isSuccess()) {
                response = text(HttpResponseStatus.BAD_REQUEST, "That is not an HTTP request this port reads.\n");
            } else if (!new QueryStringDecoder(request.uri()).path().equals("/metrics")) {
                response = text(HttpResponseStatus.NOT_FOUND, "There is nothing here but /metrics.\n");
            } else if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not allowed here; use GET.\n");
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            } else {
                response = scrape(ctx, method.equals(HttpMethod.HEAD));
            }
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        private static FullHttpResponse scrape(ChannelHandlerContext ctx, boolean head) {
            ByteBuf body = ctx.alloc().buffer(64 * 1024);
            try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
                Meters.scrape(out);
            } catch (IOException | RuntimeException e) {
                body.release();
                log.warn("metrics: scrape from {} failed: {}", ctx.channel().remoteAddress(), e.toString());
                return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "The scrape failed; see the server's log.\n");
            }
            int length = body.readableBytes();
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, head ? Unpooled.EMPTY_BUFFER : body);
            if (head) body.release();
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
            return response;
        }

        private static FullHttpResponse text(HttpResponseStatus status, String text) {
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            return response;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("metrics: {}: {}; closing", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
