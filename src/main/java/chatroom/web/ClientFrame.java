package chatroom.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * What a client's text frame asks for. The page sends the JSON that htmx's WebSocket support makes
 * from the form: {@code {"message": "...", "HEADERS": {...}}} (htmx 2 {@code ws-send}) or {@code
 * {"message": "...", "headers": {...}}} (htmx 4 {@code hx-ws}). Every other field is ignored; a name or
 * id in a frame is never believed.
 */
sealed interface ClientFrame {

    record Say(String text) implements ClientFrame {}

    /** A frame we cannot use, with the reason shown to its sender. */
    record Invalid(String reason) implements ClientFrame {}

    JsonFactory JSON = JsonFactory.builder().build();

    /**
     * Lines one message may have. A message of a thousand empty lines is within the character limit
     * but fills every member's screen; this is the rule the room's {@code MessageText} would hold if it
     * counted lines.
     */
    int MAX_MESSAGE_LINES = 100;

    /** What a client should send, quoted in every reply to a frame we cannot read. */
    String EXPECTED = "send {\"message\": \"your text\"}";

    static ClientFrame parse(String frame) {
        try (JsonParser json = JSON.createParser(frame)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                return new Invalid("this frame is not a JSON object; " + EXPECTED);
            }
            String message = null;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if (field.equals("message")) {
                    if (value != JsonToken.VALUE_STRING) {
                        return new Invalid("\"message\" must be text in quotes; " + EXPECTED);
                    }
                    message = json.getText();
                } else {
                    json.skipChildren();
                }
            }
            if (json.nextToken() != null) {
                return new Invalid("this frame has more after its JSON object; " + EXPECTED);
            }
            if (message == null) {
                return new Invalid("this frame has no \"message\" field; " + EXPECTED);
            }
            int lines = lines(message);
            if (lines > MAX_MESSAGE_LINES) {
                return new Invalid("message is " + lines + " lines; the limit is " + MAX_MESSAGE_LINES);
            }
            return new Say(message);
        } catch (IOException e) {
            // the parser's own words name its internals (tokens, "was expecting"); the sender needs ours
            return new Invalid("this frame is not valid JSON; " + EXPECTED);
        }
    }

    /** Lines of the text as it will be shown: outer blank lines do not count (they are trimmed), nor does a CR (it is dropped). */
    static int lines(String text) {
        String shown = text.strip();
        if (shown.isEmpty()) {
            return 0;
        }
        int lines = 1;
        for (int i = 0; i < shown.length(); i++) {
            if (shown.charAt(i) == '\n') {
                lines++;
            }
        }
        return lines;
    }
}
