package chatroom.web;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** Text as a JSON string literal, for the few small JSON answers written by hand. */
final class JsonText {

    private JsonText() {}

    /** {@code text} in double quotes, with what JSON needs escaped escaped. */
    static String quoted(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }
}
