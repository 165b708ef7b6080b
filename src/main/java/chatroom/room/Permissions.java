package chatroom.room;

import java.util.function.Supplier;

/**
 * The one answer to "may this person do this, here, now?", asked by the room for every {@link Command}
 * before carrying it out (and by the host for typing, which skips the room). Guests may write only while
 * the server lets them ({@link GuestPolicy}); everyone else may say and rename (the web layer's limits
 * have already been charged); mutes, bans and locked rooms will be judged here, from the room's state in
 * memory, so that the answer costs no store read.
 */
final class Permissions {

    static final String GUESTS_READ_ONLY = "Guests may read here but not write: keep your name with a passkey to join in.";

    private final Supplier<GuestPolicy> guests;

    Permissions(Supplier<GuestPolicy> guests) {
        this.guests = guests;
    }

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

    Verdict may(Standing standing, Command command) {
        if (standing == Standing.GUEST && !(command instanceof Command.Rename) && guests.get() != GuestPolicy.POST) {
            return Verdict.refused(GUESTS_READ_ONLY);
        }
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
