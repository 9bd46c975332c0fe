package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A portal on the IPv6 loopback address {@code [::1]}; skipped only where {@code ::1} cannot be bound. */
@Timeout(120)
@Tag("interop")
class Ipv6PortalInteropTest {

    @BeforeAll
    static void requireIpv6Loopback() {
        boolean bindable;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            bindable = true;
        } catch (IOException e) {
            bindable = false;
        }
        assumeTrue(bindable, "this machine cannot bind the IPv6 loopback address ::1");
    }

    @Test
    @DisplayName("iscsi-ls -s on [::1]: discovery and login over IPv6")
    void discoveryOverIpv6() throws Exception {
        try (IscsiTarget target = start()) {
            assertThat(InteropTargets.hostPort(target)).startsWith("[");

            Result r = InitiatorTools.run("iscsi-ls", "-s", InteropTargets.portalUrl(target)).assertSuccess();

            Map<String, String> targets = IscsiLsInteropTest.sections(r.stdout());
            assertThat(targets).as(r.describe()).containsOnlyKeys(IQN);
            assertThat(targets.get(IQN)).as(r.describe()).containsPattern("Lun:0\\s+Type:DIRECT_ACCESS");
        }
    }

    @Test
    @DisplayName("qemu-io on [::1]: pattern write and verified read over IPv6")
    void readWriteOverIpv6() throws Exception {
        try (IscsiTarget target = start()) {
            QemuIoInteropTest.Range range = new QemuIoInteropTest.Range(512, (1 << 20) + 512, 0xc3);

            QemuIoInteropTest.qemuIo(Map.of(), List.of("-f", "raw"), InteropTargets.lunUrl(target, IQN, 0),
                    List.of(range.write(), range.read()));
        }
    }

    private static IscsiTarget start() throws IOException {
        return IscsiTarget.builder()
                .portal("::1", 0)
                .target(IQN, t -> t.lun(0, Backstores.memory(16L << 20)))
                .build()
                .start();
    }
}
