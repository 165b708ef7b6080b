package chatroom.room;

/**
 * The one answer to "may this person do this, here, now?", asked by the room for every {@link Command}
 * before carrying it out. Today every member may say and rename (the web layer's limits have already been
 * charged); roles, mutes, bans and locked rooms are judged here, from the room's state in memory, so that
 * the answer costs no store read. Room's thread only.
 */
final class Permissions {

    /** The answer: allowed, or refused with a reason shown to the one who asked. */
    record Verdict(boolean allowed, String reason) {
        static final Verdict ALLOWED = new Verdict(true, "");

        static Verdict refused(String reason) {
            return new Verdict(false, reason);
        }
    }

    Verdict may(Author author, Command command) {
        return switch (command) {
            case Command.Say say -> Verdict.ALLOWED;
            case Command.Rename rename -> Verdict.ALLOWED;
        };
    }
}
