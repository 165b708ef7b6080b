package chatroom.web;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a listener that cannot accept (out of file descriptors: EMFILE, "too many open files") from
 * spinning. Each failed accept would otherwise be retried at once and logged: hundreds of thousands of
 * lines a second, and the event loop busy with nothing. On an accept error this stops accepting for a
 * pause, then tries again; the pause doubles while errors go on, up to a ceiling, and resets after a
 * clean accept. One line is logged per {@link #LOG_EVERY} at most, with the count of errors since.
 *
 * <p>Sits on the listening channel, before Netty's acceptor, and does not pass errors on: the acceptor
 * would pause too, and the end of the pipeline would log each one. Runs on the listener's event loop.
 */
final class AcceptErrors extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(AcceptErrors.class);

    static final Duration FIRST_PAUSE = Duration.ofMillis(50);
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(1);
    static final Duration LOG_EVERY = Duration.ofSeconds(10);

    private long pauseNanos = FIRST_PAUSE.toNanos();
    private long loggedAtNanos = System.nanoTime() - LOG_EVERY.toNanos();
    private long unlogged;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object accepted) {
        pauseNanos = FIRST_PAUSE.toNanos(); // accepting works again
        ctx.fireChannelRead(accepted);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        unlogged++;
        long now = System.nanoTime();
        if (now - loggedAtNanos >= LOG_EVERY.toNanos()) {
            log.warn("{}: cannot accept connections: {} ({} errors since the last line); pausing accepts {} ms at a time. "
                            + "If this says too many open files, raise the open-file limit (ulimit -n) or lower --max-connections.",
                    ctx.channel().localAddress(), cause.toString(), unlogged, TimeUnit.NANOSECONDS.toMillis(pauseNanos));
            loggedAtNanos = now;
            unlogged = 0;
        }
        if (ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), pauseNanos, TimeUnit.NANOSECONDS);
            pauseNanos = Math.min(2 * pauseNanos, LONGEST_PAUSE.toNanos());
        }
    }
}
