package chatroom.web;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** What a handler answers: status, headers and a body of bytes. Built fluently, sent by {@link HttpHandler}. */
final class Response {

    static final String HTML = "text/html; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";

    final HttpResponseStatus status;
    final HttpHeaders headers = new DefaultHttpHeaders();
    final byte[] body;

    Response(HttpResponseStatus status, String contentType, byte[] body) {
        this.status = status;
        this.body = body;
        if (contentType != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
    }

    static Response html(byte[] body) {
        return new Response(HttpResponseStatus.OK, HTML, body).header(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }

    static Response text(HttpResponseStatus status, String body) {
        return new Response(status, TEXT, (body + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static Response json(String body) {
        return json(HttpResponseStatus.OK, body);
    }

    static Response json(HttpResponseStatus status, String body) {
        return new Response(status, JSON, body.getBytes(StandardCharsets.UTF_8))
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }

    /** 303 See Other: after a form post, the browser follows with a GET. */
    static Response redirect(String location) {
        return new Response(HttpResponseStatus.SEE_OTHER, null, new byte[0]).header(HttpHeaderNames.LOCATION, location);
    }

    static Response noContent() {
        return new Response(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
    }

    Response header(CharSequence name, Object value) {
        headers.set(name, value);
        return this;
    }

    /** One more value of a header that may repeat (Set-Cookie). */
    Response addHeader(CharSequence name, Object value) {
        headers.add(name, value);
        return this;
    }

    CompletableFuture<Response> now() {
        return CompletableFuture.completedFuture(this);
    }
}
