package chatroom.web;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes HTTP connections that hold a socket without using it: one that starts a request and does not
 * finish it within the request timeout (a client dribbling a header a byte at a time, a half-sent
 * upgrade), and one kept alive with no new request for the idle timeout. A read timeout that restarts
 * on every byte would not do: a byte every few seconds keeps it from ever firing.
 *
 * <p>Two handlers share one state: {@link #bytes} sits before the codec and sees the first byte of a
 * request; {@link #messages} sits after it and sees a request complete and its response written. Both
 * run on the connection's event loop only. A WebSocket upgrade removes them ({@link #remove}); from then
 * on the socket's own idle check ({@code --socket-idle}) watches it.
 */
final class HttpTimeouts {

    private static final Logger log = LoggerFactory.getLogger(HttpTimeouts.class);
    static final String BYTES = "timeouts";
    static final String MESSAGES = "timeouts-messages";

    private final long requestTimeoutNanos;
    private final long idleTimeoutNanos;

    /** True from a request's first byte until the codec has read all of it. */
    private boolean reading;
    /** Requests read whose response is not written yet (pipelining allows several). */
    private int unanswered;
    private ScheduledFuture<?> timer;

    private HttpTimeouts(Duration requestTimeout, Duration idleTimeout) {
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /** Adds both handlers around the codec named {@code codec}; a new connection waits for its first request. */
    static void install(ChannelPipeline pipeline, String codec, Duration requestTimeout, Duration idleTimeout) {
        HttpTimeouts timeouts = new HttpTimeouts(requestTimeout, idleTimeout);
        pipeline.addBefore(codec, BYTES, timeouts.bytes());
        pipeline.addAfter(codec, MESSAGES, timeouts.messages());
    }

    /** Takes both handlers off a connection that became a WebSocket, cancelling any timer. */
    static void remove(ChannelPipeline pipeline) {
        if (pipeline.get(BYTES) instanceof Bytes bytes) {
            bytes.owner().cancel();
            pipeline.remove(BYTES);
        }
        if (pipeline.get(MESSAGES) != null) {
            pipeline.remove(MESSAGES);
        }
    }

    private Bytes bytes() {
        return new Bytes();
    }

    private ChannelDuplexHandler messages() {
        return new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof LastHttpContent) {
                    reading = false;
                    unanswered++;
                    cancel(); // the handler has the request now; its answer is ours to wait for, not the client's
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof LastHttpContent) {
                    ctx.write(msg, promise.unvoid()).addListener((ChannelFutureListener) done -> {
                        unanswered = Math.max(0, unanswered - 1);
                        if (done.isSuccess() && unanswered == 0 && !reading && done.channel().isActive()) {
                            arm(ctx, idleTimeoutNanos, "no new request");
                        }
                    });
                } else {
                    ctx.write(msg, promise);
                }
            }
        };
    }

    private void arm(ChannelHandlerContext ctx, long nanos, String what) {
        cancel();
        timer = ctx.executor().schedule(() -> {
            log.debug("{}: {} within {} ms; closing", ctx.channel().remoteAddress(), what, nanos / 1_000_000);
            ctx.channel().close();
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Before the codec: raw bytes, so the first byte of a request starts its clock. */
    private final class Bytes extends ChannelInboundHandlerAdapter {

        HttpTimeouts owner() {
            return HttpTimeouts.this;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // a new connection must start and finish its first request within the request timeout
            if (ctx.channel().isActive()) {
                arm(ctx, requestTimeoutNanos, "no whole request");
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            arm(ctx, requestTimeoutNanos, "no whole request");
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!reading && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                reading = true;
                arm(ctx, requestTimeoutNanos, "no whole request");
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancel();
            ctx.fireChannelInactive();
        }
    }
}
