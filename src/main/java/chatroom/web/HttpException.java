package chatroom.web;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request that cannot be served, with the status and the one-line reason the user sees. Handlers
 * throw it; {@link HttpHandler} turns it (and every other exception) into a response in one place.
 */
final class HttpException extends RuntimeException {

    final HttpResponseStatus status;
    /** Seconds after which the client may try again (a Retry-After header), or 0 to send none. */
    final long retryAfterSeconds;

    HttpException(HttpResponseStatus status, String message) {
        this(status, message, 0);
    }

    private HttpException(HttpResponseStatus status, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 429 with a Retry-After of {@code retryAfterSeconds}. */
    static HttpException tooManyRequests(String why, long retryAfterSeconds) {
        return new HttpException(HttpResponseStatus.TOO_MANY_REQUESTS, why, retryAfterSeconds);
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
