package chatroom.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * Which addresses count as one client for the per-address limits: an IPv4 address, or an IPv6 address's
 * network ({@code --ipv6-prefix}, a /64 by default). The sockets and messages that go by these keys are
 * in {@link PerAddressLimitsTest}.
 */
class AddressGroupsTest {

    private static final AddressGroups BY_64 = AddressGroups.DEFAULT;

    @Test
    void an_ipv4_address_is_a_client_of_its_own() throws Exception {
        assertThat(BY_64.keyOf(ip("192.0.2.7"))).isEqualTo("192.0.2.7");
        assertThat(BY_64.keyOf(ip("192.0.2.8"))).isEqualTo("192.0.2.8");
    }

    @Test
    void every_ipv6_address_of_one_64_is_one_client_and_the_next_64_another() throws Exception {
        assertThat(BY_64.keyOf(ip("2001:db8:1:2::"))).isEqualTo("2001:db8:1:2::/64");
        assertThat(BY_64.keyOf(ip("2001:db8:1:2::1"))).isEqualTo("2001:db8:1:2::/64");
        assertThat(BY_64.keyOf(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))).as("the last address of the /64")
                .isEqualTo("2001:db8:1:2::/64");
        assertThat(BY_64.keyOf(ip("2001:db8:1:3::"))).as("the first of the next /64").isEqualTo("2001:db8:1:3::/64");
        assertThat(BY_64.keyOf(ip("2001:db8:1:1:ffff:ffff:ffff:ffff"))).as("the last of the one before")
                .isEqualTo("2001:db8:1:1::/64");
    }

    @Test
    void an_ipv4_mapped_ipv6_address_is_its_ipv4_address() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(new byte[] {(byte) 192, 0, 2, 7}, 0, mapped, 12, 4);
        // an Inet6Address as a dual-stack socket may report it, not the Inet4Address the JDK's parser makes
        InetAddress v6 = java.net.Inet6Address.getByAddress(null, mapped, -1);
        assertThat(BY_64.keyOf(v6)).isEqualTo("192.0.2.7");
        assertThat(BY_64.keyOf(ip("::ffff:192.0.2.7"))).isEqualTo("192.0.2.7");
    }

    @Test
    void a_prefix_of_128_counts_each_ipv6_address_alone() throws Exception {
        AddressGroups each = new AddressGroups(128);
        assertThat(each.keyOf(ip("2001:db8:1:2::1"))).isEqualTo("2001:db8:1:2::1");
        assertThat(each.keyOf(ip("2001:db8:1:2::2"))).isEqualTo("2001:db8:1:2::2");
        assertThat(each.keyOf(ip("192.0.2.7"))).isEqualTo("192.0.2.7");
    }

    @Test
    void a_prefix_of_48_counts_a_whole_site_as_one() throws Exception {
        AddressGroups site = new AddressGroups(48);
        assertThat(site.keyOf(ip("2001:db8:1::1"))).isEqualTo("2001:db8:1::/48");
        assertThat(site.keyOf(ip("2001:db8:1:ffff:1:2:3:4"))).isEqualTo("2001:db8:1::/48");
        assertThat(site.keyOf(ip("2001:db8:2::1"))).isEqualTo("2001:db8:2::/48");
    }

    @Test
    void a_prefix_inside_a_byte_keeps_only_its_own_bits() throws Exception {
        AddressGroups by60 = new AddressGroups(60);
        assertThat(by60.keyOf(ip("2001:db8:1:20::1"))).isEqualTo("2001:db8:1:20::/60");
        assertThat(by60.keyOf(ip("2001:db8:1:2f:ffff::1"))).isEqualTo("2001:db8:1:20::/60");
        assertThat(by60.keyOf(ip("2001:db8:1:30::1"))).isEqualTo("2001:db8:1:30::/60");
    }

    @Test
    void a_prefix_outside_32_to_128_is_refused_naming_the_range() {
        assertThatThrownBy(() -> new AddressGroups(31)).hasMessage("IPv6 prefix is /31; expected /32 to /128");
        assertThatThrownBy(() -> new AddressGroups(129)).hasMessage("IPv6 prefix is /129; expected /32 to /128");
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }
}
