package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Discovery sessions and SendTargets (RFC 7143 §13.3, Appendix C). */
@Timeout(60)
class DiscoveryTest {

    @Test
    void sendTargetsListsTheTargetWithItsPortal() throws IOException {
        try (IscsiTarget target = Targets.start();
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of("HeaderDigest", "None",
                    "DataDigest", "None", "MaxRecvDataSegmentLength", "8192"));
            int port = target.localAddress().getPort();
            assertThat(initiator.sendTargets()).containsExactly(
                    new TestInitiator.DiscoveredTarget(Targets.IQN, List.of("127.0.0.1:" + port + ",1")));
            assertThat(initiator.logout()).isZero();
            assertThat(initiator.awaitClose(java.time.Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void sendTargetsWorksWithDigests() throws IOException {
        try (IscsiTarget target = Targets.start();
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of("HeaderDigest", "CRC32C",
                    "DataDigest", "CRC32C"));
            assertThat(initiator.headerDigestEnabled()).isTrue();
            assertThat(initiator.dataDigestEnabled()).isTrue();
            assertThat(initiator.sendTargets()).extracting(TestInitiator.DiscoveredTarget::name)
                    .containsExactly(Targets.IQN);
        }
    }

    /**
     * Forty targets with long names make a SendTargets answer of several KiB; with the initiator's
     * MaxRecvDataSegmentLength at its minimum of 512 the target must split it into Text Responses with the C bit
     * set, each continued by an empty Text Request carrying the target's TTT (RFC 7143 §11.10.2, §11.11.2).
     */
    @Test
    void sendTargetsLongerThanOnePduIsContinued() throws IOException {
        IscsiTarget.Builder b = IscsiTarget.builder().portal("127.0.0.1", 0).eventLoopThreads(1).ioThreads(1);
        for (int i = 0; i < 40; i++) {
            b.target(String.format("iqn.2026-11.io.iscsi4j:a-rather-long-target-name-for-continuations-%02d", i),
                    t -> t.lun(0, Backstores.memory(1 << 20)));
        }
        try (IscsiTarget target = b.build().start();
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of("MaxRecvDataSegmentLength", "512",
                    "DataDigest", "CRC32C"));
            List<TestInitiator.DiscoveredTarget> found = initiator.sendTargets();
            String address = "127.0.0.1:" + target.localAddress().getPort() + ",1";
            assertThat(found).hasSize(40);
            for (int i = 0; i < 40; i++) {
                assertThat(found.get(i).name()).isEqualTo(String.format(
                        "iqn.2026-11.io.iscsi4j:a-rather-long-target-name-for-continuations-%02d", i));
                assertThat(found.get(i).addresses()).containsExactly(address);
            }
        }
    }

    @Test
    void sendTargetsNamingOneTargetReturnsOnlyThatTarget() throws IOException {
        try (IscsiTarget target = IscsiTarget.builder().portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                .target("iqn.2026-11.io.iscsi4j:other", t -> t.lun(0, Backstores.memory(1 << 20)))
                .build().start();
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
            assertThat(initiator.sendTargets()).hasSize(2);
            List<Map.Entry<String, String>> one = initiator.text(Map.of("SendTargets", "iqn.2026-11.io.iscsi4j:other"));
            assertThat(one).contains(Map.entry("TargetName", "iqn.2026-11.io.iscsi4j:other"))
                    .doesNotContain(Map.entry("TargetName", Targets.IQN));
        }
    }

    /**
     * A discovery session carries only Text, NOP and Logout, one at a time, and anyone may open one: it declares
     * MaxRecvDataSegmentLength 8192 whatever the target's setting and gets a command window of two
     * (MaxCmdSN = ExpCmdSN + 1), so an unauthenticated peer cannot park megabytes in it.
     */
    @Test
    void discoverySessionGetsASmallWindowAndSegmentLimit() throws IOException {
        try (IscsiTarget target = Targets.start(b -> b.maxRecvDataSegmentLength(262_144).commandWindow(128));
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
            assertThat(initiator.targetKeys()).containsEntry("MaxRecvDataSegmentLength", "8192");
            assertThat(initiator.maxCmdSN() - initiator.cmdSN()).as("MaxCmdSN - ExpCmdSN").isEqualTo(1);
            assertThat(initiator.sendTargets()).hasSize(1);
            assertThat(initiator.maxCmdSN() - initiator.cmdSN()).as("window after a command").isEqualTo(1);

            // A data segment over the declared 8192 bytes loses the framing: the connection is closed.
            byte[] big = new byte[16384];
            initiator.send(Bhs.of(Bhs.TEXT_REQUEST).flags(0x80).itt(initiator.nextTag())
                    .i32(20, Bhs.RESERVED_TAG).i32(24, initiator.cmdSN()).i32(28, initiator.expStatSN()), big);
            assertThat(initiator.awaitClose(java.time.Duration.ofSeconds(5))).isTrue();
        }
        try (IscsiTarget target = Targets.start(b -> b.commandWindow(128));
             TestInitiator normal = Targets.login(target, Map.of())) {
            assertThat(normal.maxCmdSN() - normal.cmdSN()).as("a normal session keeps the full window")
                    .isEqualTo(127);
        }
    }

    /**
     * SCSI commands are not allowed in a discovery session (RFC 7143 §13.21: only Text and Logout requests): each
     * gets a Reject with reason 0x04 (protocol error), immediate or not, and the session goes on.
     */
    @Test
    void scsiCommandInDiscoverySessionIsRejected() throws IOException {
        try (IscsiTarget target = Targets.start();
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
            for (boolean immediate : new boolean[] {false, true}) {
                int tag = initiator.nextTag();
                byte[] cdb = {0x12, 0, 0, 0, 36, 0}; // INQUIRY
                initiator.send(Bhs.of(Bhs.SCSI_COMMAND).immediate(immediate).flags(0x80 | 0x40)
                        .lun(Bhs.encodeLun(0)).itt(tag).i32(20, 36).i32(24, initiator.cmdSN())
                        .i32(28, initiator.expStatSN()).bytes(32, cdb), new byte[0]);
                if (!immediate) {
                    initiator.advanceCmdSN(1);
                }
                RawPdu r = initiator.readPdu();
                assertThat(r.opcode()).as("%s", r).isEqualTo(Bhs.REJECT);
                assertThat(r.u8(2)).as("reason").isEqualTo(0x04);
                assertThat(r.data()[0] & 0x3f).as("the rejected header").isEqualTo(Bhs.SCSI_COMMAND);
                initiator.acceptStatus(r);
            }
            assertThat(initiator.sendTargets()).extracting(TestInitiator.DiscoveredTarget::name)
                    .containsExactly(Targets.IQN);
            assertThat(initiator.logout()).isZero();
        }
    }
}
