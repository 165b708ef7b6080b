package chatroom.web;

import chatroom.account.AccountStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A signed-in session as the device list shows it: the browser and system read from the user agent, when,
 * and from where.
 *
 * @param handle the session's hash, which the page sends back to end it (it signs nobody in: the cookie
 *     holds what it is the hash of)
 */
public record DeviceView(String handle, String browser, String signedIn, String lastSeen, String address, boolean thisOne) {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    static DeviceView of(AccountStore.SessionInfo session, boolean thisOne, long nowMs) {
        return new DeviceView(session.idHash(), browserOf(session.userAgent()), DAY.format(Instant.ofEpochMilli(session.createdMs())),
                thisOne ? "now" : ago(nowMs - session.lastSeenMs()), session.address(), thisOne);
    }

    /** "Firefox on Linux", "Chrome on Android", …: enough to tell one's devices apart. */
    static String browserOf(String agent) {
        if (agent == null || agent.isBlank()) return "A browser";
        String browser = agent.contains("Edg/") ? "Edge" : agent.contains("Firefox/") ? "Firefox"
                : agent.contains("Chrome/") || agent.contains("Chromium/") ? "Chrome"
                : agent.contains("Safari/") ? "Safari" : "A browser";
        String system = agent.contains("Android") ? "Android" : agent.contains("iPhone") || agent.contains("iPad") ? "iOS"
                : agent.contains("Mac OS X") ? "macOS" : agent.contains("Windows") ? "Windows"
                : agent.contains("Linux") ? "Linux" : null;
        return system == null ? browser : browser + " on " + system;
    }

    static String ago(long ms) {
        Duration d = Duration.ofMillis(Math.max(0, ms));
        if (d.toMinutes() < 2) return "just now";
        if (d.toHours() < 2) return d.toMinutes() + " minutes ago";
        if (d.toDays() < 2) return d.toHours() + " hours ago";
        return d.toDays() + " days ago";
    }
}
