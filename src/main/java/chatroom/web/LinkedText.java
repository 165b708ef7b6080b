package chatroom.web;

import gg.jte.Content;
import gg.jte.TemplateOutput;
import gg.jte.html.escape.Escape;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message's text for a page: everything escaped, and http(s) links made clickable. Nothing else in
 * the text is ever interpreted as HTML; a link's address is escaped like any other text.
 */
record LinkedText(String text) implements Content {

    /** An http(s) URL up to whitespace or a character that cannot end a URL in running text. */
    private static final Pattern URL = Pattern.compile("https?://[^\\s<>\"']+[^\\s<>\"'.,;:!?)\\]]");

    @Override
    public void writeTo(TemplateOutput output) {
        Matcher url = URL.matcher(text);
        int from = 0;
        while (url.find()) {
            Escape.htmlContent(text.substring(from, url.start()), output);
            output.writeContent("<a href=\"");
            Escape.htmlAttribute(url.group(), output);
            output.writeContent("\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">");
            Escape.htmlContent(url.group(), output);
            output.writeContent("</a>");
            from = url.end();
        }
        Escape.htmlContent(text.substring(from), output);
    }
}
