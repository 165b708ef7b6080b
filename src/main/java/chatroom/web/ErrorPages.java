package chatroom.web;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/** The page shown for an error status: the status, and one line saying what went wrong. Never a stack trace. */
final class ErrorPages {

    private final JteViews views;
    private final Assets assets;
    private final Identities identities;

    ErrorPages(JteViews views, Assets assets, Identities identities) {
        this.views = views;
        this.assets = assets;
        this.identities = identities;
    }

    byte[] render(HttpResponseStatus status, String message) {
        // an error page has no visitor to speak of; any identity will do for the layout
        Page page = new Page(status.reasonPhrase(), assets, identities.newGuest());
        return views.render("error.jte", Map.of(
                "page", page, "status", status.code(), "reason", status.reasonPhrase(), "message", message));
    }
}
