package chatroom.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.store.JdbcMessageStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account tables on a real database, and a second reader of them (as another node would be): run on
 * SQLite ({@link AccountStoreContract_SqliteTest}) and PostgreSQL ({@link AccountStoreContract_PostgresTest}).
 */
abstract class AccountStoreContract {

    @TempDir
    Path dir;

    /** A fresh store on the database under test. */
    abstract JdbcMessageStore open() throws Exception;

    /** A connection of the operator's (admin invite's) to the same database. */
    abstract java.sql.Connection operator() throws Exception;

    private static final long T0 = 1_800_000_000_000L;

    @Test
    void a_claimed_name_is_reserved_a_challenge_is_good_once_and_a_counter_must_grow() throws Exception {
        try (JdbcMessageStore store = open()) {
            AccountStore accounts = store.accounts();
            get(accounts.putChallenge("c1", AccountStore.Purpose.CLAIM, "u-ann", T0 + 60_000));
            assertThat(get(accounts.takeChallenge("c1", AccountStore.Purpose.SIGN_IN, T0))).as("wrong purpose").isEmpty();
            assertThat(get(accounts.takeChallenge("c1", AccountStore.Purpose.CLAIM, T0))).contains("u-ann");
            assertThat(get(accounts.takeChallenge("c1", AccountStore.Purpose.CLAIM, T0))).as("replayed").isEmpty();
            get(accounts.putChallenge("c2", AccountStore.Purpose.SIGN_IN, null, T0 + 60_000));
            assertThat(get(accounts.takeChallenge("c2", AccountStore.Purpose.SIGN_IN, T0 + 60_001))).as("expired").isEmpty();

            Account ann = new Account("u-ann", "Ann", Role.MEMBER);
            get(accounts.claim(ann, NameKey.of("Ann"), new Passkey("k-ann", "u-ann", "AAAA", 5), signIn("s1", "u-ann")));
            assertThatThrownBy(() -> get(accounts.claim(new Account("u-bob", "ANN", Role.MEMBER), NameKey.of("ANN"),
                    new Passkey("k-bob", "u-bob", "BBBB", 0), signIn("s2", "u-bob"))))
                    .hasCauseInstanceOf(NameTakenException.class);
            assertThatThrownBy(() -> get(accounts.rename("u-bob", "anN", NameKey.of("anN"), T0))).hasRootCauseInstanceOf(NameTakenException.class);

            assertThat(get(accounts.signedIn("k-ann", 5, signIn("s3", "u-ann")))).as("the same count again").isFalse();
            assertThat(get(accounts.signedIn("k-ann", 4, signIn("s3", "u-ann")))).as("a lower count").isFalse();
            assertThat(get(accounts.signedIn("k-ann", 6, signIn("s3", "u-ann")))).isTrue();
            assertThat(get(accounts.passkey("k-ann"))).map(Passkey::signCount).contains(6L);
            assertThat(get(accounts.passkey("k-nobody"))).isEmpty();

            // an account an auth proxy vouches for: made once, renamed when the proxy says another name
            get(accounts.provision("sso-x", "Xavier", "sso:x", T0));
            get(accounts.provision("sso-x", "Xavier", "sso:x", T0 + 1));
            get(accounts.provision("sso-x", "Xavier B.", "sso:x", T0 + 2));
            assertThat(get(accounts.accounts())).extracting(Account::name).containsExactly("Ann", "Xavier B.");
        }
    }

    @Test
    void a_directory_reading_the_same_database_sees_a_sign_out_and_a_rename_made_elsewhere_within_seconds() throws Exception {
        try (JdbcMessageStore store = open()) {
            AccountStore accounts = store.accounts();
            get(accounts.claim(new Account("u-ann", "Ann", Role.MEMBER), NameKey.of("Ann"),
                    new Passkey("k-ann", "u-ann", "AAAA", 0), signIn("s1", "u-ann")));
            try (Directory directory = Directory.start(accounts, Clock.systemUTC(), Duration.ofDays(30))) {
                assertThat(directory.signedIn("s1")).extracting(Account::name).isEqualTo("Ann");
                assertThat(directory.holderOf(NameKey.of("ann"))).isEqualTo("u-ann");

                // as another node, or an admin verb, would: straight to the database
                get(accounts.revoke("s1", System.currentTimeMillis()));
                get(accounts.rename("u-ann", "Annie", NameKey.of("Annie"), System.currentTimeMillis()));
                chatroom.Await.until(() -> directory.signedIn("s1") == null, "the sign-out seen");
                chatroom.Await.until(() -> "Annie".equals(directory.account("u-ann").name()), "the rename seen");
                assertThat(directory.holderOf(NameKey.of("Ann"))).as("the old name is free again").isNull();
                assertThat(directory.holderOf(NameKey.of("annie"))).isEqualTo("u-ann");

                // a day on, the revoked session's row goes; a live one stays
                get(accounts.signedIn("k-ann", 0, signIn("s2", "u-ann")));
                long now = System.currentTimeMillis();
                assertThat(accounts.forgetSessions(now - 86_400_000L, now - 30L * 86_400_000L)).isZero();
                assertThat(accounts.forgetSessions(now + 1, now - 30L * 86_400_000L)).isEqualTo(1);
                assertThat(get(accounts.sessionsOf("u-ann"))).extracting(AccountStore.SessionInfo::idHash).containsExactly("s2");
            }
        }
    }

    @Test
    void a_device_link_and_an_owner_invite_are_good_once_and_not_after_they_expire() throws Exception {
        try (JdbcMessageStore store = open()) {
            AccountStore accounts = store.accounts();
            get(accounts.claim(new Account("u-ann", "Ann", Role.MEMBER), NameKey.of("Ann"),
                    new Passkey("k-ann", "u-ann", "AAAA", 0), signIn("s1", "u-ann")));
            get(accounts.putDeviceLink("l1", "u-ann", T0, T0 + 600_000));
            get(accounts.putDeviceLink("l2", "u-ann", T0, T0 + 600_000));
            assertThat(get(accounts.useDeviceLink("l1", signIn("s2", null), T0 + 1000)))
                    .isEqualTo(new AccountStore.LinkUse(AccountStore.Redemption.ACCEPTED, "u-ann"));
            assertThat(get(accounts.useDeviceLink("l1", signIn("s3", null), T0 + 2000)).outcome())
                    .isEqualTo(AccountStore.Redemption.USED);
            assertThat(get(accounts.useDeviceLink("l2", signIn("s4", null), T0 + 600_001)).outcome())
                    .isEqualTo(AccountStore.Redemption.EXPIRED);
            assertThat(get(accounts.useDeviceLink("l-nope", signIn("s5", null), T0)).outcome())
                    .isEqualTo(AccountStore.Redemption.UNKNOWN);

            try (java.sql.Connection c = operator()) {
                chatroom.store.Invites.create(c, "i1", T0, T0 + 1000);
                chatroom.store.Invites.create(c, "i2", T0, T0 + 1000);
            }
            assertThat(get(accounts.acceptInvite("i2", "u-ann", T0 + 1001))).isEqualTo(AccountStore.Redemption.EXPIRED);
            assertThat(get(accounts.acceptInvite("i1", "u-ann", T0 + 10))).isEqualTo(AccountStore.Redemption.ACCEPTED);
            assertThat(get(accounts.acceptInvite("i1", "u-ann", T0 + 20))).isEqualTo(AccountStore.Redemption.USED);
            assertThat(get(accounts.accounts())).extracting(Account::role).containsExactly(Role.OWNER);
        }
    }

    private static SignIn signIn(String hash, String userId) {
        return new SignIn(hash, userId, System.currentTimeMillis(), "test", "127.0.0.1");
    }

    private static <T> T get(CompletableFuture<T> future) throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        return future.get(10, TimeUnit.SECONDS);
    }
}
