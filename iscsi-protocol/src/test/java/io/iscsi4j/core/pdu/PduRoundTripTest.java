package io.iscsi4j.core.pdu;

import static io.iscsi4j.core.pdu.PduTestSupport.assertSamePdu;
import static io.iscsi4j.core.pdu.PduTestSupport.decoderChannel;
import static io.iscsi4j.core.pdu.PduTestSupport.encode;
import static io.iscsi4j.core.pdu.PduTestSupport.pooled;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Encodes every PDU type with {@link PduEncoder} and decodes it with {@link PduFrameDecoder}, with and
 * without digests, and checks that every field and the data segment survive. Field values use high
 * bits so that sign and width mistakes show.
 */
class PduRoundTripTest {

    /** One sample per opcode; a supplier because encoding consumes the PDU. */
    static List<Supplier<Pdu>> samples() {
        List<Supplier<Pdu>> samples = new ArrayList<>();
        samples.add(() -> NopOut.builder().immediate(true).lun(0x0001_0000_0000_0000L)
                .initiatorTaskTag(0xF000_0001).targetTransferTag(Pdu.RESERVED_TAG).cmdSN(0xFFFF_FFFE)
                .expStatSN(0x8000_0000).data(pooled("ping!")).build());
        samples.add(() -> ScsiCommand.builder().immediate(false).finalFlag(true).read(true).write(false)
                .attribute(1).lun(0x4001_0000_0000_0000L).initiatorTaskTag(0x8765_4321)
                .expectedDataTransferLength(0xFFFF_FF00L).cmdSN(0x9000_0000).expStatSN(0xA000_0001)
                .cdb(PduTestSupport.bytes(0x88, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 8, 0, 0))
                .build());
        samples.add(() -> TaskManagementRequest.builder().immediate(true).function(1)
                .lun(0x0002_0000_0000_0000L).initiatorTaskTag(0xC000_0005).referencedTaskTag(0xC000_0004)
                .cmdSN(0x8000_0010).expStatSN(0x8000_0020).refCmdSN(0x8000_000F).expDataSN(0x8000_0003)
                .build());
        samples.add(() -> LoginRequest.builder().transit(true).continueFlag(false).csg(1).nsg(3)
                .versionMax(0).versionMin(0).isid(0x8002_3D00_0001L).tsih(0xFFFE).initiatorTaskTag(0x8000_0000)
                .cid(0xFFFF).cmdSN(0xFFFF_FFFF).expStatSN(0x8000_0001)
                .data(pooled("InitiatorName=iqn.1993-08.org.debian:01:abc\0SessionType=Normal\0")).build());
        samples.add(() -> TextRequest.builder().immediate(true).finalFlag(false).continueFlag(true)
                .lun(0x0003_0000_0000_0000L).initiatorTaskTag(0xB000_0001).targetTransferTag(0xB000_0002)
                .cmdSN(0xB000_0003).expStatSN(0xB000_0004).data(pooled("SendTargets=All\0")).build());
        samples.add(() -> DataOut.builder().finalFlag(true).lun(0x0004_0000_0000_0000L)
                .initiatorTaskTag(0xD000_0001).targetTransferTag(0xD000_0002).expStatSN(0xD000_0003)
                .dataSN(0xD000_0004).bufferOffset(0xFFFF_0000).data(pooled(new byte[1021])).build());
        samples.add(() -> LogoutRequest.builder().immediate(true).reasonCode(1).initiatorTaskTag(0xE000_0001)
                .cid(0x8001).cmdSN(0xE000_0002).expStatSN(0xE000_0003).build());
        samples.add(() -> Snack.builder().type(1).lun(0x0005_0000_0000_0000L).initiatorTaskTag(Pdu.RESERVED_TAG)
                .targetTransferTag(0xA100_0001).expStatSN(0xA100_0002).begRun(0xA100_0003)
                .runLength(0xA100_0004).build());
        samples.add(() -> NopIn.builder().lun(0x0006_0000_0000_0000L).initiatorTaskTag(Pdu.RESERVED_TAG)
                .targetTransferTag(0xA200_0001).statSN(0xA200_0002).expCmdSN(0xA200_0003)
                .maxCmdSN(0xA200_0004).data(pooled("pong")).build());
        samples.add(() -> ScsiResponse.builder().bidiOverflow(true).bidiUnderflow(false).residualOverflow(false)
                .residualUnderflow(true).response(0).status(0x02).initiatorTaskTag(0xA300_0001)
                .snackTag(0xA300_0002).statSN(0xA300_0003).expCmdSN(0xA300_0004).maxCmdSN(0xA300_0005)
                .expDataSN(0xA300_0006).bidiReadResidualCount(0xFFFF_FFFFL).residualCount(0x8000_0000L)
                .sense(PduTestSupport.bytes(0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0))
                .build());
        samples.add(() -> TaskManagementResponse.builder().response(5).initiatorTaskTag(0xA400_0001)
                .statSN(0xA400_0002).expCmdSN(0xA400_0003).maxCmdSN(0xA400_0004).build());
        samples.add(() -> TaskManagementResponse.builder().response(7).additionalResponseInformation(0x16_2903)
                .initiatorTaskTag(0xA400_0011).statSN(0xA400_0012).expCmdSN(0xA400_0013).maxCmdSN(0xA400_0014)
                .build());
        samples.add(() -> LoginResponse.builder().transit(true).continueFlag(false).csg(1).nsg(3)
                .versionMax(0).versionActive(0).isid(0xFFFF_FFFF_FFFFL).tsih(0x8001).initiatorTaskTag(0xA500_0001)
                .statSN(0xA500_0002).expCmdSN(0xA500_0003).maxCmdSN(0xA500_0004).statusClass(2)
                .statusDetail(1).data(pooled("TargetPortalGroupTag=1\0")).build());
        samples.add(() -> TextResponse.builder().finalFlag(true).continueFlag(false)
                .lun(0x0007_0000_0000_0000L).initiatorTaskTag(0xA600_0001).targetTransferTag(Pdu.RESERVED_TAG)
                .statSN(0xA600_0002).expCmdSN(0xA600_0003).maxCmdSN(0xA600_0004)
                .data(pooled("TargetName=iqn.2026-11.io.iscsi4j:demo\0")).build());
        samples.add(() -> DataIn.builder().finalFlag(true).acknowledge(true).residualOverflow(false)
                .residualUnderflow(true).statusPresent(true).status(0).lun(0x0008_0000_0000_0000L)
                .initiatorTaskTag(0xA700_0001).targetTransferTag(0xA700_0002).statSN(0xA700_0003)
                .expCmdSN(0xA700_0004).maxCmdSN(0xA700_0005).dataSN(0xA700_0006).bufferOffset(0x8000_0000)
                .residualCount(0xFFFF_FFFEL).data(pooled(new byte[] {1, 2, 3})).build());
        samples.add(() -> LogoutResponse.builder().response(1).initiatorTaskTag(0xA800_0001).statSN(0xA800_0002)
                .expCmdSN(0xA800_0003).maxCmdSN(0xA800_0004).time2Wait(0xFFFF).time2Retain(20).build());
        samples.add(() -> ReadyToTransfer.builder().lun(0x0009_0000_0000_0000L).initiatorTaskTag(0xA900_0001)
                .targetTransferTag(0xA900_0002).statSN(0xA900_0003).expCmdSN(0xA900_0004)
                .maxCmdSN(0xA900_0005).r2tSN(0xA900_0006).bufferOffset(0x8000_0000)
                .desiredDataTransferLength(0xFFFF_FFFFL).build());
        samples.add(() -> AsyncMessage.builder().lun(0x000A_0000_0000_0000L).statSN(0xAA00_0001)
                .expCmdSN(0xAA00_0002).maxCmdSN(0xAA00_0003).asyncEvent(1).asyncVCode(0xFF).parameter1(0xFFFF)
                .parameter2(2).parameter3(0x8000).data(pooled(new byte[] {0, 0})).build());
        samples.add(() -> Reject.builder().reason(RejectReason.INVALID_PDU_FIELD).statSN(0xAB00_0001)
                .expCmdSN(0xAB00_0002).maxCmdSN(0xAB00_0003).dataSN(0xAB00_0004)
                .rejectedHeader(pooled(new byte[Pdu.BHS_LENGTH])).build());
        return samples;
    }

    static Stream<Arguments> samplesWithDigests() {
        List<Arguments> arguments = new ArrayList<>();
        List<DigestSettings> modes = List.of(DigestSettings.NONE, new DigestSettings(true, false),
                new DigestSettings(false, true), DigestSettings.BOTH);
        for (Supplier<Pdu> sample : samples()) {
            Pdu probe = sample.get();
            String name = probe.opcode().name();
            probe.release();
            for (DigestSettings mode : modes) {
                arguments.add(Arguments.of(name + " " + mode, sample, mode));
            }
        }
        return arguments.stream();
    }

    @Test
    void samplesCoverEveryOpcode() {
        Set<Opcode> covered = EnumSet.noneOf(Opcode.class);
        for (Supplier<Pdu> sample : samples()) {
            Pdu pdu = sample.get();
            covered.add(pdu.opcode());
            pdu.release();
        }
        assertThat(covered).isEqualTo(EnumSet.allOf(Opcode.class));
        assertThat(covered.stream().map(Opcode::code).collect(Collectors.toSet())).hasSize(18);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplesWithDigests")
    void roundTrip(String name, Supplier<Pdu> sample, DigestSettings digests) {
        Pdu expected = sample.get();
        ByteBuf wire = encode(sample.get(), digests);
        int expectedLength = expected.headerLength() + (digests.headerDigest() ? 4 : 0)
                + ((expected.dataSegmentLength() + 3) & ~3)
                + (digests.dataDigest() && expected.dataSegmentLength() > 0 ? 4 : 0);
        assertThat(wire.readableBytes()).as("wire length").isEqualTo(expectedLength);

        EmbeddedChannel channel = decoderChannel(digests.headerDigest(), digests.dataDigest());
        channel.writeInbound(wire);
        Object decoded = channel.readInbound();
        try {
            assertThat(decoded).isInstanceOf(Pdu.class);
            assertSamePdu((Pdu) decoded, expected);
        } finally {
            expected.release();
            io.netty.util.ReferenceCountUtil.release(decoded);
        }
        assertThat(channel.finishAndReleaseAll()).as("leftover messages").isFalse();
    }

    @Test
    void extendedCdbAndBidirectionalAhsRoundTrip() {
        byte[] cdb = new byte[32];
        for (int i = 0; i < cdb.length; i++) {
            cdb[i] = (byte) (0x7F - i);
        }
        Supplier<Pdu> sample = () -> ScsiCommand.builder().finalFlag(true).read(true).write(true).attribute(2)
                .initiatorTaskTag(7).expectedDataTransferLength(4096).bidirectionalReadDataLength(0xFFFF_FFF0L)
                .cmdSN(1).cdb(cdb).data(pooled(new byte[] {9, 9, 9, 9, 9})).build();
        ScsiCommand expected = (ScsiCommand) sample.get();
        // Extended CDB AHS: 4 + 16 bytes; bidirectional AHS: 8 bytes
        assertThat(expected.headerLength()).isEqualTo(48 + 20 + 8);
        assertThat(expected.cdb()).isEqualTo(cdb);

        for (DigestSettings digests : List.of(DigestSettings.NONE, DigestSettings.BOTH)) {
            EmbeddedChannel channel = decoderChannel(digests.headerDigest(), digests.dataDigest());
            channel.writeInbound(encode(sample.get(), digests));
            ScsiCommand decoded = channel.readInbound();
            try {
                assertSamePdu(decoded, expected);
                assertThat(decoded.cdb()).isEqualTo(cdb);
                assertThat(decoded.cdbLength()).isEqualTo(32);
                assertThat(decoded.bidirectionalReadDataLength()).isEqualTo(0xFFFF_FFF0L);
            } finally {
                decoded.release();
            }
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
        expected.release();
    }

    @Test
    void oddLengthExtendedCdbIsPaddedAndRestoredExactly() {
        byte[] cdb = new byte[17];
        cdb[0] = 0x7F;
        cdb[16] = 0x55;
        ScsiCommand expected = ScsiCommand.builder().cdb(cdb).build();
        // AHSLength 2 (reserved byte + 1 CDB byte), padded to one word after the 4-byte AHS header
        assertThat(expected.headerLength()).isEqualTo(48 + 8);
        Object decoded = PduTestSupport.decodeOne(PduTestSupport.encodeToArray(expected));
        assertThat(((ScsiCommand) decoded).cdb()).isEqualTo(cdb);
        io.netty.util.ReferenceCountUtil.release(decoded);
    }
}
