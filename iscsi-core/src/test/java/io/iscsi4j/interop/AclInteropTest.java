package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.TargetBuilder;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.iscsi4j.interop.InitiatorTools.assertInquirySucceeded;
import static io.iscsi4j.interop.InitiatorTools.assertLoginRefused;
import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Node ACLs against libiscsi's tools and QEMU: per-ACL one-way and mutual CHAP, an initiator outside every ACL,
 * LUN masking and read-only mapped LUNs. The initiator name is libiscsi's {@code -i} option and QEMU's
 * {@code file.initiator-name}; credentials are {@code iscsi://USER%SECRET@...}, and the target's for mutual CHAP
 * {@code ?target_user=...&target_password=...}.
 */
@Timeout(120)
@Tag("interop")
class AclInteropTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String ALICE = "iqn.2026-11.io.iscsi4j:alice";
    private static final String BOB = "iqn.2026-11.io.iscsi4j:bob";
    private static final String STRANGER = "iqn.2026-11.org.example:stranger";
    private static final String TARGET_USER = "everyone";
    private static final String TARGET_SECRET = "target-wide-secret-01";
    private static final String ALICE_USER = "alice";
    private static final String ALICE_SECRET = "alice-own-secret-23";
    private static final String MUTUAL_USER = "disk";
    private static final String MUTUAL_SECRET = "disk-mutual-secret-45";
    private static final String AUTHENTICATION_FAILURE = "Authentication failure";
    private static final String AUTHORIZATION_FAILURE = "Authorization failure";

    private static IscsiTarget start(Consumer<TargetBuilder> acls, Backstore... luns) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> {
                    for (int lun = 0; lun < luns.length; lun++) {
                        t.lun(lun, luns[lun]);
                    }
                    acls.accept(t);
                })
                .build()
                .start();
    }

    /**
     * Target-wide CHAP; Alice has an ACL with CHAP credentials (and mutual ones) of her own; Bob uses the target-wide
     * credentials and sees only the target's 4 MiB LUN 2, as his LUN 0.
     */
    private static IscsiTarget startChapTarget() throws IOException {
        return start(t -> t.chap(TARGET_USER, TARGET_SECRET)
                        .acl(ALICE, a -> a.chap(ALICE_USER, ALICE_SECRET).mutualChap(MUTUAL_USER, MUTUAL_SECRET))
                        .acl(BOB, a -> a.mapLun(0, 2)),
                Backstores.memory(16L << 20), Backstores.memory(8L << 20), Backstores.memory(4L << 20));
    }

    /** {@code iscsi://[USER%SECRET@]HOST:PORT/IQN/LUN[?QUERY]}. */
    private static String lunUrl(IscsiTarget target, String userAndSecret, int lun, String query) {
        String credentials = userAndSecret == null ? "" : userAndSecret + "@";
        return "iscsi://" + credentials + InteropTargets.hostPort(target) + "/" + IQN + "/" + lun
                + (query == null ? "" : "?" + query);
    }

    private static Result tool(String tool, String initiator, String url, String... options) {
        List<String> command = new ArrayList<>(List.of(tool, "-i", initiator));
        command.addAll(List.of(options));
        command.add(url);
        return InitiatorTools.run(TIMEOUT, Map.of(), command.toArray(String[]::new));
    }

    @Nested
    class PerAclChap {

        @Test
        @DisplayName("iscsi-inq -i: an ACL's own credentials log in; the target-wide ones do not for that ACL")
        void theAclsOwnCredentialsReplaceTheTargetWideOnes() throws Exception {
            try (IscsiTarget target = startChapTarget()) {
                assertInquirySucceeded(tool("iscsi-inq", ALICE, lunUrl(target, ALICE_USER + "%" + ALICE_SECRET, 0,
                        null)));
                assertLoginRefused(tool("iscsi-inq", ALICE, lunUrl(target, TARGET_USER + "%" + TARGET_SECRET, 0,
                        null)), AUTHENTICATION_FAILURE);
                assertInquirySucceeded(tool("iscsi-inq", BOB, lunUrl(target, TARGET_USER + "%" + TARGET_SECRET, 0,
                        null)));
                assertLoginRefused(tool("iscsi-inq", BOB, lunUrl(target, ALICE_USER + "%" + ALICE_SECRET, 0,
                        null)), AUTHENTICATION_FAILURE);
            }
        }

        @Test
        @DisplayName("iscsi-inq -i: a wrong or missing per-ACL secret fails with authentication failure")
        void wrongAndMissingSecretsAreRefused() throws Exception {
            try (IscsiTarget target = startChapTarget()) {
                assertLoginRefused(tool("iscsi-inq", ALICE, lunUrl(target, ALICE_USER + "%wrong-secret-9876", 0,
                        null)), AUTHENTICATION_FAILURE);
                assertLoginRefused(tool("iscsi-inq", ALICE, lunUrl(target, null, 0, null)), AUTHENTICATION_FAILURE);
            }
        }

        @Test
        @DisplayName("iscsi-inq ?target_user&target_password: the ACL's mutual CHAP verifies the target")
        void mutualChapOfTheAcl() throws Exception {
            try (IscsiTarget target = startChapTarget()) {
                assertInquirySucceeded(tool("iscsi-inq", ALICE, lunUrl(target, ALICE_USER + "%" + ALICE_SECRET, 0,
                        "target_user=" + MUTUAL_USER + "&target_password=" + MUTUAL_SECRET)));
                assertLoginRefused(tool("iscsi-inq", ALICE, lunUrl(target, ALICE_USER + "%" + ALICE_SECRET, 0,
                        "target_user=" + MUTUAL_USER + "&target_password=other-secret-7777")),
                        "Invalid CHAP_R response from the target");
                assertLoginRefused(tool("iscsi-inq", BOB, lunUrl(target, TARGET_USER + "%" + TARGET_SECRET, 0,
                        "target_user=" + MUTUAL_USER + "&target_password=" + MUTUAL_SECRET)),
                        AUTHENTICATION_FAILURE);
            }
        }

        @Test
        @DisplayName("iscsi-inq -i: an initiator in no ACL is refused with authorization failure (0x0202)")
        void anInitiatorInNoAclIsRefused() throws Exception {
            try (IscsiTarget target = startChapTarget()) {
                assertLoginRefused(tool("iscsi-inq", STRANGER, lunUrl(target, TARGET_USER + "%" + TARGET_SECRET, 0,
                        null)), AUTHORIZATION_FAILURE);
            }
        }

        @Test
        @DisplayName("iscsi-ls -s -i: discovery lists the target to ACL members only, with only their mapped LUNs")
        void discoveryShowsOnlyMappedLuns() throws Exception {
            try (IscsiTarget target = startChapTarget()) {
                String portal = "iscsi://" + TARGET_USER + "%" + TARGET_SECRET + "@" + InteropTargets.hostPort(target);
                Result bob = tool("iscsi-ls", BOB, portal, "-s").assertSuccess();
                String luns = IscsiLsInteropTest.sections(bob.stdout()).get(IQN);
                assertThat(luns).as(bob.describe()).containsPattern("Lun:0\\s+Type:DIRECT_ACCESS")
                        .doesNotContain("Lun:1").doesNotContain("Lun:2");

                Result stranger = tool("iscsi-ls", STRANGER, "iscsi://" + InteropTargets.hostPort(target))
                        .assertSuccess();
                assertThat(stranger.stdout()).as(stranger.describe()).doesNotContain(IQN);

                Result alice = tool("iscsi-ls", ALICE, "iscsi://" + ALICE_USER + "%" + ALICE_SECRET + "@"
                        + InteropTargets.hostPort(target), "-s").assertSuccess();
                assertThat(IscsiLsInteropTest.sections(alice.stdout()).get(IQN)).as(alice.describe())
                        .contains("Lun:0").contains("Lun:1").contains("Lun:2");
            }
        }

        @Test
        @DisplayName("iscsi-readcapacity16 -i: a mapped LUN is the target's LUN behind it; unmapped LUNs fail")
        void mappedLunIsTheBackstoreBehindIt() throws Exception {
            try (IscsiTarget target = startChapTarget()) {
                String credentials = TARGET_USER + "%" + TARGET_SECRET;
                Result size = tool("iscsi-readcapacity16", BOB, lunUrl(target, credentials, 0, null), "-s")
                        .assertSuccess();
                assertThat(size.stdout().trim()).as(size.describe()).isEqualTo(Long.toString(4L << 20));

                Result masked = tool("iscsi-readcapacity16", BOB, lunUrl(target, credentials, 1, null), "-s");
                assertThat(masked.exitCode()).as(masked.describe()).isNotZero();
                assertThat(masked.stdout() + masked.stderr()).as(masked.describe())
                        .containsIgnoringCase("LOGICAL_UNIT_NOT_SUPPORTED");
            }
        }
    }

    @Nested
    class ReadOnlyMapping {

        private static final String READER = "iqn.2026-11.io.iscsi4j:reader";
        private static final String WRITER = "iqn.2026-11.io.iscsi4j:writer";

        private Result qemuIo(IscsiTarget target, String initiator, boolean readOnly, String... commands) {
            List<String> line = new ArrayList<>(List.of("qemu-io", "--image-opts"));
            if (readOnly) {
                line.add("-r");
            }
            for (String c : commands) {
                line.add("-c");
                line.add(c);
            }
            line.add("driver=raw,file.driver=iscsi,file.transport=tcp,file.portal=" + InteropTargets.hostPort(target)
                    + ",file.target=" + IQN + ",file.lun=0,file.initiator-name=" + initiator);
            Result r = InitiatorTools.run(TIMEOUT, Map.of(), line.toArray(String[]::new));
            InitiatorTools.requireQemuIscsiDriver(r);
            return r;
        }

        @Test
        @DisplayName("qemu-io: a LUN mapped read-only is write-protected (MODE SENSE WP) and serves reads; another ACL"
                + " writes it")
        void readOnlyMappedLunRefusesWrites() throws Exception {
            Backstore disk = Backstores.memory(16L << 20);
            try (IscsiTarget target = start(t -> t.acl(READER, a -> a.mapLunReadOnly(0, 0))
                    .acl(WRITER, a -> a.mapLun(0, 0)), disk)) {
                Result written = qemuIo(target, WRITER, false, "write -P 0x3c 0 64k").assertSuccess();
                assertThat(written.stdout()).as(written.describe()).contains("wrote 65536/65536 bytes at offset 0");

                // QEMU reads WP from MODE SENSE and refuses to open the LUN for writing.
                Result refused = qemuIo(target, READER, false, "write -P 0x77 0 64k");
                assertThat(refused.exitCode()).as(refused.describe()).isNotZero();
                assertThat(refused.stdout() + refused.stderr()).as(refused.describe())
                        .doesNotContain("wrote 65536/65536").contains("write protected");

                Result read = qemuIo(target, READER, true, "read -P 0x3c 0 64k").assertSuccess();
                assertThat(read.stdout()).as(read.describe()).contains("read 65536/65536 bytes at offset 0");

                ByteBuffer stored = InteropTargets.readDirect(disk, 0, 65536);
                while (stored.hasRemaining()) {
                    assertThat(stored.get()).as("the refused write changed nothing").isEqualTo((byte) 0x3c);
                }
            }
        }
    }
}
