package chatroom.web;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request that cannot be served, with the status and the one-line reason the user sees. Handlers
 * throw it; {@link HttpHandler} turns it (and every other exception) into a response in one place.
 */
final class HttpException extends RuntimeException {

    final HttpResponseStatus status;

    HttpException(HttpResponseStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static HttpException notFound(String what) {
        return new HttpException(HttpResponseStatus.NOT_FOUND, what);
    }

    static HttpException badRequest(String why) {
        return new HttpException(HttpResponseStatus.BAD_REQUEST, why);
    }

    static HttpException forbidden(String why) {
        return new HttpException(HttpResponseStatus.FORBIDDEN, why);
    }
}
