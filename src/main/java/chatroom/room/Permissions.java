package chatroom.room;

/**
 * The one answer to "may this person do this, here, now?", asked by the room for every {@link Command}
 * before carrying it out. Today every member may say and rename (the web layer's limits have already been
 * charged); roles, mutes, bans and locked rooms are judged here, from the room's state in memory, so that
 * the answer costs no store read. Room's thread only.
 */
final class Permissions {

    /**
     * The answer: allowed, or refused with a reason shown to the one who asked. {@code anyAuthor}: a change
     * may touch others' messages too (a moderator's deletion, once there are moderators); without it the
     * store lets only a message's author change it.
     */
    record Verdict(boolean allowed, String reason, boolean anyAuthor) {
        static final Verdict ALLOWED = new Verdict(true, "", false);

        static Verdict refused(String reason) {
            return new Verdict(false, reason, false);
        }
    }

    Verdict may(Author author, Command command) {
        return switch (command) {
            case Command.Say say -> Verdict.ALLOWED;
            // whose message it is, and whether it is still there, the store judges in the commit
            case Command.Edit edit -> Verdict.ALLOWED;
            case Command.Delete delete -> Verdict.ALLOWED;
            case Command.React react -> Verdict.ALLOWED;
            case Command.Unreact unreact -> Verdict.ALLOWED;
            case Command.Rename rename -> Verdict.ALLOWED;
            case Command.Typing typing -> Verdict.ALLOWED;
        };
    }
}
