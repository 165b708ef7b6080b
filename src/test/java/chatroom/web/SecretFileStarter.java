package chatroom.web;

import java.nio.file.Path;

/**
 * A child process for {@link IdentitiesSecretTest}: waits for a shared start instant (so several start at
 * once), loads or creates the secret file, and prints the cookie it issues for a fixed identity; two
 * processes printing the same cookie sign with the same secret.
 */
public final class SecretFileStarter {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long startAtMillis = Long.parseLong(args[1]);
        while (System.currentTimeMillis() < startAtMillis) {
            Thread.onSpinWait();
        }
        Identities identities = Identities.withSecretFile(file, java.time.Duration.ofDays(400));
        System.out.println(identities.setCookie(new Identity("user-1", "ann", true), false));
    }
}
