package chatroom.web;

import chatroom.room.InvalidInputException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AttributeKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every HTTP request: finds the route, runs its handler, and writes the response with the
 * headers every page needs. The one place where exceptions become statuses: {@link HttpException}
 * gives its own, {@link InvalidInputException} is 400, anything else is logged and answered 500 without
 * details. Stateless and shared by all connections; runs on each connection's event loop.
 */
@ChannelHandler.Sharable
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(HttpHandler.class);

    /** Scripts and styles only from this server, no framing, no inline code: see Content-Security-Policy. */
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    /** The response a connection is waiting to write before the next one (HTTP/1.1 pipelining). */
    private static final AttributeKey<CompletableFuture<Void>> LAST_RESPONSE = AttributeKey.valueOf("lastResponse");

    private final Routes routes;
    private final Visitors visitors;
    private final ErrorPages errorPages;
    private final Site site;

    HttpHandler(Routes routes, Visitors visitors, ErrorPages errorPages, Site site) {
        this.routes = routes;
        this.visitors = visitors;
        this.errorPages = errorPages;
        this.site = site;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest http) {
        boolean keepAlive = HttpUtil.isKeepAlive(http);
        boolean head = http.method().equals(HttpMethod.HEAD);
        if (http.decoderResult().isFailure()) {
            Throwable cause = http.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException
                    ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException
                            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                            : cause instanceof TooLongFrameException
                                    ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                                    : HttpResponseStatus.BAD_REQUEST;
            write(ctx, errorResponse(status, "the request could not be read"), false, head);
            return;
        }
        CompletableFuture<Response> answer;
        try {
            answer = dispatch(ctx, http);
        } catch (Exception e) {
            answer = CompletableFuture.failedFuture(e);
        }
        if (answer == null) {
            return; // upgraded to a WebSocket; the connection is no longer HTTP
        }
        http.retain();
        CompletableFuture<Response> answered = answer.handle((response, error) -> {
            try {
                return error == null ? response : errorResponse(error, http);
            } finally {
                http.release();
            }
        });
        // pipelined requests are answered in the order they came, whichever handler finishes first
        CompletableFuture<Void> previous = ctx.channel().attr(LAST_RESPONSE).get();
        CompletableFuture<Void> written = (previous == null ? answered : previous.thenCombine(answered, (p, r) -> r))
                .thenAccept(out -> ctx.executor().execute(() -> write(ctx, out, keepAlive, head)));
        ctx.channel().attr(LAST_RESPONSE).set(written.isDone() ? null : written);
    }

    /** Writes an error page for a request that never reached a handler (e.g. a body over the limit) and closes. */
    void writeError(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
        write(ctx, errorResponse(status, message), false, false);
    }

    /** Runs the matching handler; null means the connection was handed to a WebSocket. */
    private CompletableFuture<Response> dispatch(ChannelHandlerContext ctx, FullHttpRequest http) throws Exception {
        QueryStringDecoder uri = new QueryStringDecoder(http.uri());
        Routes.Match match = routes.match(http.method(), uri.rawPath());
        if (!match.found()) {
            if (match.allowed().isEmpty()) {
                throw HttpException.notFound("There is nothing at " + uri.path() + ".");
            }
            String allow = match.allowed().stream().map(HttpMethod::name).distinct().collect(Collectors.joining(", "));
            return errorResponse(HttpResponseStatus.METHOD_NOT_ALLOWED, http.method() + " is not allowed here; use " + allow + ".")
                    .header(HttpHeaderNames.ALLOW, allow)
                    .now();
        }
        Request request = new Request(ctx, http, uri, match.params(), visitors, site);
        if (!match.anyHost()) {
            site.requireOurHost(request.client());
        }
        if (match.upgrade() != null) {
            if (!isWebSocketUpgrade(http)) {
                return Response.text(HttpResponseStatus.UPGRADE_REQUIRED,
                                "This is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket).")
                        .header(HttpHeaderNames.UPGRADE, "websocket")
                        .header(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                        .now();
            }
            match.upgrade().upgrade(request);
            return null;
        }
        CompletableFuture<Response> response = match.handler().handle(request);
        Identity identity = request.identityIfRead();
        if (identity != null && identity.issued()) {
            // a first visit: keep the identity it was shown
            return response.thenApply(r -> r.headers.contains(HttpHeaderNames.SET_COOKIE)
                    ? r
                    : r.header(HttpHeaderNames.SET_COOKIE, request.setCookie(identity)));
        }
        return response;
    }

    private static boolean isWebSocketUpgrade(FullHttpRequest http) {
        return http.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && http.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private Response errorResponse(Throwable error, FullHttpRequest http) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpException e) {
            Response response = errorResponse(e.status, e.getMessage());
            return e.retryAfterSeconds > 0
                    ? response.header(HttpHeaderNames.RETRY_AFTER, Long.toString(e.retryAfterSeconds))
                    : response;
        }
        if (cause instanceof InvalidInputException e) {
            return errorResponse(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
        log.error("{} {}: failed", http.method(), http.uri(), cause);
        return errorResponse(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Something went wrong on the server. Please try again.");
    }

    private Response errorResponse(HttpResponseStatus status, String message) {
        return new Response(status, Response.HTML, errorPages.render(status, message))
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }

    private void write(ChannelHandlerContext ctx, Response response, boolean keepAlive, boolean head) {
        FullHttpResponse http = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                response.status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body));
        http.headers().set(response.headers);
        http.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.body.length);
        http.headers().set("X-Content-Type-Options", "nosniff");
        http.headers().set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY");
        http.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP);
        http.headers().set("Referrer-Policy", "same-origin");
        if (site.hsts != null) {
            http.headers().set("Strict-Transport-Security", site.hsts);
        }
        if (keepAlive) {
            http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(http);
        } else {
            http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(http).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: connection error: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
