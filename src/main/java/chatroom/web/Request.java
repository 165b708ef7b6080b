package chatroom.web;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as handlers see it: the decoded path, path parameters from the route, query and
 * form values, cookies, and the identity of the visitor. Lives for one request on its event loop.
 */
final class Request {

    /** Largest form body read: a name is 32 characters, so this is room for any honest form many times over. */
    static final int MAX_FORM_BYTES = 8 * 1024;

    /** Headers a proxy adds for the client it relays; any of them means this request was relayed. */
    private static final List<String> FORWARDING_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Real-IP");

    final ChannelHandlerContext ctx;
    final FullHttpRequest http;
    final String path;
    private final Map<String, String> pathParams;
    private final QueryStringDecoder query;
    private Map<String, String> form;
    private Identity identity;
    private final Visitors visitors;
    private final Site site;
    private ClientAddress client;

    Request(ChannelHandlerContext ctx, FullHttpRequest http, QueryStringDecoder query, Map<String, String> pathParams,
            Visitors visitors, Site site) {
        this.ctx = ctx;
        this.http = http;
        this.query = query;
        this.path = query.path();
        this.pathParams = pathParams;
        this.visitors = visitors;
        this.site = site;
    }

    HttpMethod method() {
        return http.method();
    }

    String param(String name) {
        return pathParams.get(name);
    }

    /** The first value of a query parameter, or null. */
    String query(String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    String header(CharSequence name) {
        return http.headers().get(name);
    }

    String cookie(String name) {
        String header = http.headers().get(HttpHeaderNames.COOKIE);
        if (header == null) {
            return null;
        }
        for (Cookie cookie : ServerCookieDecoder.STRICT.decode(header)) {
            if (cookie.name().equals(name)) {
                return cookie.value();
            }
        }
        return null;
    }

    /**
     * A value of a url-encoded or multipart form posted with this request, or null. Forms here hold a
     * name or nothing, so a body over {@link #MAX_FORM_BYTES} is refused (413), and fields are decoded in
     * memory: the decoder's default would write fields over 16 KB to temporary files, from the event loop.
     */
    String form(String name) {
        if (form == null) {
            int bytes = http.content().readableBytes();
            if (bytes > MAX_FORM_BYTES) {
                throw new HttpException(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        "The form is " + bytes + " bytes; the limit is " + MAX_FORM_BYTES + ".");
            }
            form = new HashMap<>();
            HttpPostRequestDecoder decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false), http);
            try {
                for (InterfaceHttpData data : decoder.getBodyHttpDatas()) {
                    if (data instanceof Attribute attribute) {
                        form.putIfAbsent(attribute.getName(), attribute.getValue());
                    }
                }
            } catch (IOException | HttpPostRequestDecoder.ErrorDataDecoderException e) {
                throw HttpException.badRequest("the form could not be read: " + e.getMessage());
            } finally {
                decoder.destroy();
            }
        }
        return form.get(name);
    }

    /** Who sent this request: the TCP peer, or the client a trusted proxy forwarded it for. */
    ClientAddress client() {
        if (client == null) {
            client = ClientAddress.of(ctx.channel().remoteAddress(), http.headers(), site.trustedProxies, site.addressGroups);
        }
        return client;
    }

    /**
     * True for a request made on this machine: a loopback peer that relays nobody. A peer in {@code
     * --trusted-proxies} never is, whatever headers it sends or leaves out (a proxy that passes on only
     * {@code X-Real-IP}, or a TCP proxy, sends none of the others), nor one that sends a forwarding header.
     */
    boolean fromThisMachine() {
        if (!(ctx.channel().remoteAddress() instanceof InetSocketAddress peer) || peer.getAddress() == null) {
            return false;
        }
        if (!peer.getAddress().isLoopbackAddress() || site.trustedProxies.contains(peer.getAddress())) {
            return false;
        }
        for (String header : FORWARDING_HEADERS) {
            if (http.headers().contains(header)) {
                return false;
            }
        }
        return true;
    }

    /** True when the TCP peer is one of {@code --trusted-proxies}: what it says of the request is believed. */
    boolean fromTrustedProxy() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress peer && peer.getAddress() != null
                && site.trustedProxies.contains(peer.getAddress());
    }

    /** The Set-Cookie value that gives this visitor the identity, Secure when the site is reached over https. */
    String setCookie(Identity identity) {
        return visitors.identities.setCookie(identity, secureCookies());
    }

    /** True when cookies set for this request must be Secure: the site is reached over https. */
    boolean secureCookies() {
        return site.secureCookies(client());
    }

    /** The identity if a handler asked for it, else null: only then may the response need to set the cookie. */
    Identity identityIfRead() {
        return identity;
    }

    /**
     * Who is asking: the account of a live session cookie, else the guest of the signed cookie, or a new
     * guest when there is none, it was tampered with, or it names an account ({@link Visitors}).
     */
    Identity identity() {
        if (identity == null) {
            identity = visitors.of(this);
        }
        return identity;
    }

    /** The identity chosen for this request from here on (a sign-in or sign-out just changed it). */
    void identityBecomes(Identity identity) {
        this.identity = identity;
    }

    /** The body as UTF-8 text; 413 past {@code maxBytes}. */
    String body(int maxBytes) {
        int bytes = http.content().readableBytes();
        if (bytes > maxBytes) {
            throw new HttpException(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "The request body is " + bytes + " bytes; the limit here is " + maxBytes + ".");
        }
        return http.content().toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
