package chatroom.web;

/**
 * How much one connection may send. {@code messages}: the socket's own share of messages, beside the
 * shares of its user and its address ({@link Senders}); a sender refused {@code floodRejections} times
 * in a row is flooding and is disconnected with 1008. {@code frames}: every other frame (pings, pongs,
 * binary, unknown), which the page sends one of every 25 s; a socket over it is closed with 1008 at once.
 */
record MemberLimits(Rate messages, Rate frames, int floodRejections) {}
