package chatroom.web;

/**
 * How much one connection may send: a token bucket of {@code burst} messages refilled at {@code
 * messagesPerSecond} (0 turns it off). A sender that keeps sending into an empty bucket is flooding and
 * is disconnected after {@code floodRejections} refusals in a row.
 */
record MemberLimits(double messagesPerSecond, int burst, int floodRejections) {}
