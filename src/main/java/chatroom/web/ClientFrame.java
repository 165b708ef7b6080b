package chatroom.web;

import chatroom.room.Command;
import chatroom.room.Reaction;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * What a client's text frame asks for: a room {@link Command}, or nothing we can use. The page sends the JSON that htmx's WebSocket support makes
 * from the form: {@code {"message": "...", "HEADERS": {...}}} (htmx 2 {@code ws-send}) or {@code
 * {"message": "...", "headers": {...}}} (htmx 4 {@code hx-ws}), with the page's own id for the
 * message in {@code "cid"} (optional) so that a message resent after a reconnect is stored once. A change
 * to one of the sender's messages is {@code {"edit": SEQ, "text": "..."}} or {@code {"delete": SEQ}}
 * (with a {@code "cid"} too, applied once); {@code {"typing": true}} says the sender is typing. A message
 * answering another carries its seq in {@code "reply"}; a reaction is {@code {"react": SEQ, "emoji": "👍"}},
 * taken back with {@code {"unreact": SEQ, "emoji": "👍"}}. Every other field is ignored; a name or user id
 * in a frame is never believed.
 */
sealed interface ClientFrame {

    /** A frame that asks the room to do something: a message, an edit, a deletion, or to show typing. */
    record Ask(Command command) implements ClientFrame {}

    /** A frame we cannot use, with the reason shown to its sender. */
    record Invalid(String reason) implements ClientFrame {}

    JsonFactory JSON = JsonFactory.builder().build();

    /** What a page's id for its message may be: short, and nothing that needs escaping anywhere. */
    Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** What a client should send, quoted in every reply to a frame we cannot read. */
    String EXPECTED = "send {\"message\": \"your text\"}";

    static ClientFrame parse(String frame) {
        try (JsonParser json = JSON.createParser(frame)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                return new Invalid("this frame is not a JSON object; " + EXPECTED);
            }
            String message = null;
            String clientId = null;
            String text = null;
            long edit = 0, delete = 0, reply = 0, react = 0, unreact = 0;
            String emoji = null;
            boolean typing = false;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if (field.equals("typing")) {
                    if (value != JsonToken.VALUE_TRUE) {
                        return new Invalid("\"typing\" is true or absent");
                    }
                    typing = true;
                } else if (field.equals("edit") || field.equals("delete")) {
                    if (value != JsonToken.VALUE_NUMBER_INT || json.getLongValue() < 1) {
                        return new Invalid("\"" + field + "\" must be the number of one of your messages");
                    }
                    if (field.equals("edit")) edit = json.getLongValue();
                    else delete = json.getLongValue();
                } else if (field.equals("reply") || field.equals("react") || field.equals("unreact")) {
                    if (value != JsonToken.VALUE_NUMBER_INT || json.getLongValue() < 1) {
                        return new Invalid("\"" + field + "\" must be the number of a message in this room");
                    }
                    switch (field) {
                        case "reply" -> reply = json.getLongValue();
                        case "react" -> react = json.getLongValue();
                        default -> unreact = json.getLongValue();
                    }
                } else if (field.equals("emoji")) {
                    if (value != JsonToken.VALUE_STRING || json.getTextLength() > Reaction.MAX_EMOJI_CHARS) {
                        return new Invalid("\"emoji\" must be one emoji in quotes");
                    }
                    emoji = json.getText();
                } else if (field.equals("text")) {
                    if (value != JsonToken.VALUE_STRING) {
                        return new Invalid("\"text\" must be text in quotes");
                    }
                    text = json.getText();
                } else if (field.equals("message")) {
                    if (value != JsonToken.VALUE_STRING) {
                        return new Invalid("\"message\" must be text in quotes; " + EXPECTED);
                    }
                    message = json.getText();
                } else if (field.equals("cid")) {
                    if (value != JsonToken.VALUE_STRING || !CLIENT_ID.matcher(json.getText()).matches()) {
                        return new Invalid("\"cid\" must be 1–64 letters, digits, '-' or '_'");
                    }
                    clientId = json.getText();
                } else {
                    json.skipChildren();
                }
            }
            if (json.nextToken() != null) {
                return new Invalid("this frame has more after its JSON object; " + EXPECTED);
            }
            int asks = (message != null ? 1 : 0) + (edit > 0 ? 1 : 0) + (delete > 0 ? 1 : 0) + (typing ? 1 : 0)
                    + (react > 0 ? 1 : 0) + (unreact > 0 ? 1 : 0);
            if (asks > 1) {
                return new Invalid("one frame asks one thing: a \"message\", an \"edit\", a \"delete\", a \"react\", "
                        + "an \"unreact\" or \"typing\"");
            }
            if (reply > 0 && message == null) {
                return new Invalid("\"reply\" goes with the \"message\" that answers it");
            }
            if (react > 0 || unreact > 0) {
                if (emoji == null) return new Invalid("a reaction needs its \"emoji\"");
                return new Ask(react > 0
                        ? new Command.React(react, emoji, clientId)
                        : new Command.Unreact(unreact, emoji, clientId));
            }
            if (typing) {
                return new Ask(new Command.Typing());
            }
            if (edit > 0) {
                return text == null
                        ? new Invalid("an \"edit\" needs the new \"text\"")
                        : new Ask(new Command.Edit(edit, text, clientId));
            }
            if (delete > 0) {
                return new Ask(new Command.Delete(delete, clientId));
            }
            if (message == null) {
                return new Invalid("this frame has no \"message\" field; " + EXPECTED);
            }
            return new Ask(new Command.Say(message, clientId, reply));
        } catch (IOException e) {
            // the parser's own words name its internals (tokens, "was expecting"); the sender needs ours
            return new Invalid("this frame is not valid JSON; " + EXPECTED);
        }
    }
}
