package chatroom.web;

import chatroom.metrics.Meters;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many WebSockets are open, in all and per client address ({@link ClientAddress#limitKey()}: an
 * IPv6 client's whole /64 is one address), and the caps on both. An upgrade takes
 * a slot before its handshake ({@link #take}) and gives it back when its channel closes, whether the
 * handshake failed or the socket lived for hours. Taking is one atomic step per counter, so a burst of
 * upgrades on every event loop at once can never overshoot a cap, as a check of the open count followed
 * by an add later could.
 *
 * <p>Thread-safe: upgrades arrive on every event loop. The one hazard is a slot given back twice or never,
 * which would let the counts drift; only the close future of the channel that took it gives it back.
 */
final class SocketSlots {

    private final int maxSockets;
    private final int maxPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    SocketSlots(int maxSockets, int maxPerAddress) {
        this.maxSockets = maxSockets;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Takes a slot for a socket from {@code client} and gives it back when {@code channel} closes;
     * throws 503 when the server is full and 429 when that address holds its share already. This machine
     * connecting directly (no limit key) is a load generator, or a proxy on it that is not in {@code
     * --trusted-proxies} and so stands for every visitor at once. Capping it per address would turn the
     * 51st visitor away, so only the overall cap applies to it.
     */
    void take(ClientAddress client, Channel channel) {
        String address = client.limitKey();
        if (address == null) {
            takeOverall();
            channel.closeFuture().addListener(closed -> open.decrementAndGet());
            return;
        }
        takeOverall();
        boolean[] refused = {false};
        perAddress.compute(address, (a, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            if (c.get() >= maxPerAddress) {
                refused[0] = true;
            } else {
                c.incrementAndGet();
            }
            return c.get() == 0 ? null : c;
        });
        if (refused[0]) {
            open.decrementAndGet();
            Meters.upgradeRefused(Meters.UpgradeRefusal.ADDRESS_FULL);
            throw new HttpException(HttpResponseStatus.TOO_MANY_REQUESTS, holder(address) + maxPerAddress
                    + " connections open, the most one address may have" + network(address) + ". Close a tab or try again later.");
        }
        // a channel's close future completes once, so the slot is given back once
        channel.closeFuture().addListener(closed -> giveBack(address));
    }

    private static String holder(String address) {
        return address.equals(AddressGroups.UNKNOWN)
                ? "Visitors whose address the proxy did not pass on have "
                : address + " has ";
    }

    /** For an IPv6 network key such as {@code 2001:db8:1:2::/64}: what counts as one address. */
    private static String network(String address) {
        int slash = address.indexOf('/');
        return slash < 0 ? "" : " (every IPv6 address in a " + address.substring(slash) + " counts as one)";
    }

    private void takeOverall() {
        if (open.incrementAndGet() > maxSockets) {
            open.decrementAndGet();
            Meters.upgradeRefused(Meters.UpgradeRefusal.FULL);
            throw new HttpException(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "The server is full (" + maxSockets + " connections). Please try again later.");
        }
    }

    private void giveBack(String address) {
        perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
        open.decrementAndGet();
    }
}
