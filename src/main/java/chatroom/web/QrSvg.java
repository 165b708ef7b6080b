package chatroom.web;

import io.nayuki.qrcodegen.QrCode;

/**
 * A QR code drawn as SVG by the server, so a device link can be scanned off the screen with a phone's
 * camera without any script or image service: one path of unit squares, dark on light in both colour
 * schemes (a camera needs the contrast), with a quiet zone of four modules as the standard asks.
 */
final class QrSvg {

    private static final int QUIET = 4;

    private QrSvg() {}

    /** The SVG of {@code text}'s QR code, {@code label} as its accessible name. */
    static String of(String text, String label) {
        QrCode qr = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
        int size = qr.size + 2 * QUIET;
        StringBuilder path = new StringBuilder();
        for (int y = 0; y < qr.size; y++) {
            for (int x = 0; x < qr.size; x++) {
                if (qr.getModule(x, y)) path.append('M').append(x + QUIET).append(',').append(y + QUIET).append("h1v1h-1z");
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" role=\"img\" aria-label=\"" + escape(label)
                + "\" viewBox=\"0 0 " + size + " " + size + "\" width=\"" + size * 4 + "\" height=\"" + size * 4
                + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\""
                + path + "\"/></svg>";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
