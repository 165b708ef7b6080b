package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** What the node remembers of users and addresses: only while it matters, however many came and went. */
class SendersTest {

    private static final Rate FIVE_A_SECOND = Rate.perSecond(5, 5);

    @Test
    void a_hundred_thousand_addresses_that_came_and_went_leave_nothing_behind() {
        Senders senders = new Senders(FIVE_A_SECOND, FIVE_A_SECOND, Rate.perMinute(3));
        for (int i = 0; i < 100_000; i++) {
            ClientAddress client = direct("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
            Senders.Sender address = senders.opened(client, null);
            Senders.Sender user = senders.opened("u" + i, null);
            senders.closed(client.limitKey(), address, null, null);
            senders.closed("u" + i, user, null, null);
        }
        assertThat(senders.size()).isZero();
    }

    @Test
    void a_sender_that_spent_its_share_and_left_is_remembered_until_the_share_is_whole_again() {
        // one message every 3 s: slow enough that a loaded machine cannot refill it between two lines
        Rate slow = Rate.perSecond(1 / 3.0, 1);
        Senders senders = new Senders(slow, slow, Rate.perMinute(3), 1_000_000L);
        ClientAddress client = direct("203.0.113.7");
        Senders.Sender address = senders.opened(client, null);
        while (address.takeMessage(System.nanoTime())) {
            // spend it all
        }
        senders.closed(client.limitKey(), address, null, null);
        // coming straight back does not make the share whole
        Senders.Sender again = senders.opened(client, null);
        assertThat(again).isSameAs(address);
        assertThat(again.takeMessage(System.nanoTime())).isFalse();
        senders.closed(client.limitKey(), again, null, null);
        // and once it is whole, the next socket's arrival sweeps it away
        Await.until((java.util.function.BooleanSupplier) () -> {
            senders.closed("nobody", senders.opened("nobody", null), null, null);
            return senders.size() == 0;
        }, "the entry to be swept");
    }

    @Test
    void this_machine_has_no_address_share() {
        Senders senders = new Senders(FIVE_A_SECOND, FIVE_A_SECOND, Rate.perMinute(3));
        assertThat(senders.opened(direct("127.0.0.1"), null)).isNull();
    }

    @Test
    void addresses_of_one_ipv6_64_share_one_entry() {
        Senders senders = new Senders(FIVE_A_SECOND, FIVE_A_SECOND, Rate.perMinute(3));
        Senders.Sender first = senders.opened(direct("2001:db8:5:6::1"), null);
        assertThat(senders.opened(direct("2001:db8:5:6:ffff::2"), null)).isSameAs(first);
        assertThat(senders.opened(direct("2001:db8:5:7::1"), null)).isNotSameAs(first);
    }

    /** A client connected straight to the server from {@code ip}, with no proxy trusted. */
    private static ClientAddress direct(String ip) {
        return ClientAddress.of(new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(ip), 40_000),
                new DefaultHttpHeaders(), TrustedProxies.NONE, AddressGroups.DEFAULT);
    }
}
