package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Identity cookies carry their issue time: they expire after --cookie-max-age, and are renewed on visits after half of it. */
class IdentitiesTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Duration MAX_AGE = Duration.ofDays(400);

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-28T10:00:00Z"));
    private final Identities identities = new Identities(SECRET, MAX_AGE, clock);

    @Test
    void a_fresh_cookie_gives_back_its_identity_without_issuing_it_again() {
        Identity ann = identities.renamed(identities.newGuest(), "Ann");
        Identity read = identities.fromCookie(valueOf(identities.setCookie(ann, false)));
        assertThat(read).isEqualTo(new Identity(ann.userId(), "Ann", false));
    }

    @Test
    void a_cookie_past_half_its_age_keeps_its_identity_and_is_issued_again() {
        Identity ann = identities.renamed(identities.newGuest(), "Ann");
        String cookie = valueOf(identities.setCookie(ann, false));
        clock.advance(MAX_AGE.dividedBy(2).plusDays(1));
        assertThat(identities.fromCookie(cookie)).isEqualTo(new Identity(ann.userId(), "Ann", true));
    }

    @Test
    void a_cookie_older_than_the_max_age_makes_a_new_guest() {
        Identity ann = identities.renamed(identities.newGuest(), "Ann");
        String cookie = valueOf(identities.setCookie(ann, false));
        clock.advance(MAX_AGE.plusSeconds(1));
        Identity read = identities.fromCookie(cookie);
        assertThat(read.userId()).isNotEqualTo(ann.userId());
        assertThat(read.name()).startsWith("guest-");
        assertThat(read.issued()).isTrue();
    }

    @Test
    void a_cookie_with_an_altered_issue_time_makes_a_new_guest() {
        Identity ann = identities.renamed(identities.newGuest(), "Ann");
        String[] parts = valueOf(identities.setCookie(ann, false)).split("\\.");
        clock.advance(MAX_AGE.plusDays(1));
        String renewed = parts[0] + "." + parts[1] + "." + clock.instant().getEpochSecond() + "." + parts[3];
        assertThat(identities.fromCookie(renewed).userId()).isNotEqualTo(ann.userId());
    }

    @Test
    void a_signed_cookie_from_before_issue_times_keeps_its_identity_and_is_issued_again_with_one() throws Exception {
        String payload = "AAAAAAAAAAAAAAAAAAAAAA." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString("Old Timer".getBytes(StandardCharsets.UTF_8));
        String legacy = payload + "." + hmac(payload);
        Identity read = identities.fromCookie(legacy);
        assertThat(read).isEqualTo(new Identity("AAAAAAAAAAAAAAAAAAAAAA", "Old Timer", true));
        assertThat(valueOf(identities.setCookie(read, false)).split("\\.")).hasSize(4);
    }

    @Test
    void the_cookie_lives_in_the_browser_for_the_max_age() {
        assertThat(identities.setCookie(identities.newGuest(), false)).contains("Max-Age=" + MAX_AGE.toSeconds());
    }

    private static String valueOf(String setCookie) {
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    private static String hmac(String payload) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** A clock the test moves forward by hand. */
    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
