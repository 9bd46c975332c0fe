package io.iscsi4j.examples;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class AddressesTest {

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, 3260, 127.0.0.1:3260",
            "::1, 3260, [::1]:3260",
            "::, 0, [::]:0",
            "2001:db8:0:0:1:0:0:1, 860, [2001:db8::1:0:0:1]:860",
            "2001:db8:1:2:3:4:5:6, 1, [2001:db8:1:2:3:4:5:6]:1",
            "fe80:0:0:0:0:0:0:0, 2, [fe80::]:2",
            "2001:db8:0:1:1:1:1:1, 3, [2001:db8:0:1:1:1:1:1]:3"})
    void formatsHostAndPortAsUrlsDo(String ip, int port, String expected) throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(ip), port);

        assertThat(Addresses.hostPort(address)).isEqualTo(expected);
    }
}
