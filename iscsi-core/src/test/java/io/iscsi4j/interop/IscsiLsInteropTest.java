package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/** libiscsi's {@code iscsi-ls}: SendTargets discovery, then a normal session per target with REPORT LUNS. */
@Timeout(120)
@Tag("interop")
class IscsiLsInteropTest {

    @Test
    @DisplayName("iscsi-ls -s: discovery lists the target, and a normal session lists LUN 0 as a disk")
    void discoveryAndLoginListTheTargetAndLun0() throws Exception {
        try (IscsiTarget target = InteropTargets.startOneLun(Backstores.memory(64L << 20))) {
            Result r = InitiatorTools.run("iscsi-ls", "-s", InteropTargets.portalUrl(target)).assertSuccess();

            Map<String, String> targets = sections(r.stdout());
            assertThat(targets).as(r.describe()).containsOnlyKeys(IQN);
            assertThat(targets.get(IQN)).as(r.describe())
                    .contains("Portal:" + InteropTargets.hostPort(target))
                    .containsPattern("Lun:0\\s+Type:DIRECT_ACCESS");
        }
    }

    @Test
    @DisplayName("iscsi-ls -s: a portal group with its own discovery CHAP lists only its target, with its portal")
    void aPortalGroupListsItsTargetsBehindItsOwnDiscoveryChap() throws Exception {
        String first = "iqn.2026-11.io.iscsi4j:interop-first";
        String second = "iqn.2026-11.io.iscsi4j:interop-second";
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(first, t -> t.lun(0, Backstores.memory(16L << 20)))
                .target(second, t -> t.lun(0, Backstores.memory(16L << 20)))
                .portalGroup(5, g -> g.portal("127.0.0.1", 0).target(second)
                        .discoveryChap("finder", "finder-secret-1"))
                .build()
                .start()) {
            int groupPort = target.boundAddresses().get(1).getPort();
            Result open = InitiatorTools.run("iscsi-ls", "-s", InteropTargets.portalUrl(target)).assertSuccess();
            assertThat(sections(open.stdout())).as(open.describe()).containsOnlyKeys(first, second);

            Result refused = InitiatorTools.run("iscsi-ls", "-s", "iscsi://127.0.0.1:" + groupPort);
            assertThat(refused.exitCode()).as("discovery without the group's CHAP\n%s", refused.describe())
                    .isNotZero();
            Result r = InitiatorTools.run("iscsi-ls", "-s", "iscsi://finder%finder-secret-1@127.0.0.1:" + groupPort)
                    .assertSuccess();
            Map<String, String> targets = sections(r.stdout());
            assertThat(targets).as(r.describe()).containsOnlyKeys(second);
            assertThat(targets.get(second)).as(r.describe())
                    .contains("Portal:127.0.0.1:" + groupPort + ",5")
                    .containsPattern("Lun:0\\s+Type:DIRECT_ACCESS");
        }
    }

    @Test
    @DisplayName("iscsi-ls -s: with two targets configured, both are discovered with their own LUNs")
    void discoveryListsBothTargets() throws Exception {
        String first = "iqn.2026-11.io.iscsi4j:interop-first";
        String second = "iqn.2026-11.io.iscsi4j:interop-second";
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(first, t -> t.lun(0, Backstores.memory(16L << 20)))
                .target(second, t -> t
                        .lun(0, Backstores.memory(16L << 20))
                        .lun(1, Backstores.memory(32L << 20, 4096)))
                .build()
                .start()) {
            Result r = InitiatorTools.run("iscsi-ls", "-s", InteropTargets.portalUrl(target)).assertSuccess();

            Map<String, String> targets = sections(r.stdout());
            assertThat(targets).as(r.describe()).containsOnlyKeys(first, second);
            assertThat(targets.get(first)).as(r.describe())
                    .containsPattern("Lun:0\\s+Type:DIRECT_ACCESS")
                    .doesNotContain("Lun:1");
            assertThat(targets.get(second)).as(r.describe())
                    .containsPattern("Lun:0\\s+Type:DIRECT_ACCESS")
                    .containsPattern("Lun:1\\s+Type:DIRECT_ACCESS");
        }
    }

    @Test
    @DisplayName("iscsi-ls ?header_digest=crc32c: the discovery session negotiates HeaderDigest=CRC32C")
    void discoveryWithHeaderDigestCrc32c() throws Exception {
        try (IscsiTarget target = InteropTargets.startOneLun(Backstores.memory(16L << 20))) {
            // libiscsi applies the URL's header_digest to the discovery session (offering CRC32C only); the
            // normal session that -s opens afterwards offers None,CRC32C. Level 6 logs the target's login replies.
            Result r = InitiatorTools.run(InitiatorTools.DEFAULT_TIMEOUT, Map.of(InitiatorTools.LIBISCSI_DEBUG, "6"),
                    "iscsi-ls", "-s", InteropTargets.portalUrl(target) + "?header_digest=crc32c").assertSuccess();

            assertThat(r.stderr()).as(r.describe()).contains("TargetLoginReply: HeaderDigest=CRC32C");
            assertThat(sections(r.stdout())).as(r.describe()).containsOnlyKeys(IQN);
            assertThat(sections(r.stdout()).get(IQN)).as(r.describe()).containsPattern("Lun:0\\s+Type:DIRECT_ACCESS");
        }
    }

    /** Splits {@code iscsi-ls -s} output into target name → its lines ({@code Target:NAME Portal:...} then LUNs). */
    static Map<String, String> sections(String stdout) {
        Map<String, String> result = new LinkedHashMap<>();
        String current = null;
        for (String line : stdout.split("\n")) {
            if (line.startsWith("Target:")) {
                int end = line.indexOf(' ');
                current = line.substring("Target:".length(), end < 0 ? line.length() : end);
                result.put(current, line + "\n");
            } else if (current != null) {
                result.merge(current, line + "\n", String::concat);
            }
        }
        return result;
    }
}
