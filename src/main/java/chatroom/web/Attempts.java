package chatroom.web;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How often an address may start or answer a passkey ceremony: a person signs in a few times a day, a
 * script guessing or replaying does it thousands of times a minute. Each address (its group, as the other
 * per-address limits count it, and with their exception for this machine) has an allowance; past it the request gets a 429 saying when to try again.
 * The table forgets addresses whose allowance is whole again, and never holds more than {@link
 * #MAX_ADDRESSES}: past that it starts over, which only ever lets someone in sooner.
 */
final class Attempts {

    static final int MAX_ADDRESSES = 100_000;

    private final Rate rate;
    private final ConcurrentHashMap<String, Allowance> byAddress = new ConcurrentHashMap<>();

    Attempts(Rate rate) {
        this.rate = rate;
    }

    /** Spends one attempt of the address, or throws 429. */
    void take(ClientAddress client) {
        // this machine connecting directly has no per-address limits (see ClientAddress#limitKey): it may be
        // a proxy standing for every visitor at once
        if (client.limitKey() == null) return;
        take(client.limitKey(), "from your address");
    }

    /** Spends one attempt of an account (its user id), or throws 429. */
    void take(String userId) {
        take("user:" + userId, "for your account");
    }

    private void take(String key, String whose) {
        if (rate.off()) return;
        long now = System.nanoTime();
        if (byAddress.size() >= MAX_ADDRESSES) {
            byAddress.values().removeIf(a -> a.whole(now));
            if (byAddress.size() >= MAX_ADDRESSES) byAddress.clear();
        }
        Allowance allowance = byAddress.computeIfAbsent(key, k -> new Allowance(now));
        if (!allowance.take(rate, now)) {
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(allowance.waitNanos(rate, now) + 999_999_999L));
            throw HttpException.tooManyRequests("Too many sign-in attempts " + whose + ". Try again in " + seconds
                    + (seconds == 1 ? " second." : " seconds."), seconds);
        }
    }
}
