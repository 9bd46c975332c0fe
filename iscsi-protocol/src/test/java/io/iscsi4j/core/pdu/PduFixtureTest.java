package io.iscsi4j.core.pdu;

import static io.iscsi4j.core.pdu.PduTestSupport.bytes;
import static io.iscsi4j.core.pdu.PduTestSupport.concat;
import static io.iscsi4j.core.pdu.PduTestSupport.decodeOne;
import static io.iscsi4j.core.pdu.PduTestSupport.encodeToArray;
import static io.iscsi4j.core.pdu.PduTestSupport.encodeWithoutPduToArray;
import static io.iscsi4j.core.pdu.PduTestSupport.pooled;
import static io.iscsi4j.core.pdu.PduTestSupport.toArray;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact fixtures, commented field by field with RFC 7143 §11 offsets: decode the bytes and check
 * the fields, and build the same PDU and check the encoded bytes.
 */
class PduFixtureTest {

    // RFC 7143 §11.3 SCSI Command: WRITE(10) of one 512-byte block at LBA 16, 4 bytes of immediate data
    private static final byte[] SCSI_COMMAND = concat(bytes(
            0x41,                                           // 0: . I=1 opcode 0x01
            0xA1,                                           // 1: F=1 R=0 W=1 .. ATTR=1 (simple)
            0x00, 0x00,                                     // 2..3: reserved
            0x00,                                           // 4: TotalAHSLength 0
            0x00, 0x00, 0x04,                               // 5..7: DataSegmentLength 4
            0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8..15: LUN 1 (peripheral addressing)
            0x12, 0x34, 0x56, 0x78,                         // 16..19: Initiator Task Tag
            0x00, 0x00, 0x02, 0x00,                         // 20..23: Expected Data Transfer Length 512
            0x00, 0x00, 0x00, 0x07,                         // 24..27: CmdSN 7
            0x00, 0x00, 0x00, 0x03,                         // 28..31: ExpStatSN 3
            0x2A, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, // 32..47: CDB WRITE(10) LBA 16
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00  //         transfer length 1
    ), bytes(
            0xDE, 0xAD, 0xBE, 0xEF                          // 48..51: immediate data, no padding needed
    ));

    // RFC 7143 §11.4 SCSI Response: GOOD with an overflow residual, no sense data
    private static final byte[] SCSI_RESPONSE = bytes(
            0x21,                                           // 0: . . opcode 0x21
            0x84,                                           // 1: F=1 .. o=0 u=0 O=1 U=0 .
            0x00,                                           // 2: Response 0 (command completed at target)
            0x00,                                           // 3: Status GOOD
            0x00,                                           // 4: TotalAHSLength 0
            0x00, 0x00, 0x00,                               // 5..7: DataSegmentLength 0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8..15: reserved
            0x00, 0x00, 0x00, 0x07,                         // 16..19: Initiator Task Tag 7
            0x00, 0x00, 0x00, 0x00,                         // 20..23: SNACK Tag 0
            0x00, 0x00, 0x00, 0x0B,                         // 24..27: StatSN 11
            0x00, 0x00, 0x00, 0x0C,                         // 28..31: ExpCmdSN 12
            0x00, 0x00, 0x00, 0x2B,                         // 32..35: MaxCmdSN 43
            0x00, 0x00, 0x00, 0x00,                         // 36..39: ExpDataSN 0
            0x00, 0x00, 0x00, 0x00,                         // 40..43: Bidirectional Read Residual Count 0
            0x00, 0x00, 0x02, 0x00                          // 44..47: Residual Count 512
    );

    // RFC 7143 §11.7.2 SCSI Data-In with status (S=1), underflow, 3 data bytes + 1 padding byte
    private static final byte[] DATA_IN = concat(bytes(
            0x25,                                           // 0: . . opcode 0x25
            0x83,                                           // 1: F=1 A=0 ... O=0 U=1 S=1
            0x00,                                           // 2: reserved
            0x00,                                           // 3: Status GOOD
            0x00,                                           // 4: TotalAHSLength 0
            0x00, 0x00, 0x03,                               // 5..7: DataSegmentLength 3
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8..15: LUN 0
            0x00, 0x00, 0x00, 0x2A,                         // 16..19: Initiator Task Tag 42
            0xFF, 0xFF, 0xFF, 0xFF,                         // 20..23: Target Transfer Tag 0xffffffff
            0x00, 0x00, 0x00, 0x05,                         // 24..27: StatSN 5
            0x00, 0x00, 0x00, 0x09,                         // 28..31: ExpCmdSN 9
            0x00, 0x00, 0x00, 0x28,                         // 32..35: MaxCmdSN 40
            0x00, 0x00, 0x00, 0x02,                         // 36..39: DataSN 2
            0x00, 0x00, 0x10, 0x00,                         // 40..43: Buffer Offset 4096
            0x00, 0x00, 0x01, 0xFD                          // 44..47: Residual Count 509
    ), bytes(
            0x61, 0x62, 0x63,                               // 48..50: data "abc"
            0x00                                            // 51: padding to a 4-byte boundary
    ));

    private static final String LOGIN_TEXT = "InitiatorName=iqn.1993-08.org.debian:01:ab\0AuthMethod=None\0";

    // RFC 7143 §11.12 Login Request: security -> operational, new session
    private static final byte[] LOGIN_REQUEST = concat(bytes(
            0x43,                                           // 0: . I=1 opcode 0x03
            0x81,                                           // 1: T=1 C=0 .. CSG=0 NSG=1
            0x00,                                           // 2: Version-max 0
            0x00,                                           // 3: Version-min 0
            0x00,                                           // 4: TotalAHSLength 0
            0x00, 0x00, 0x3B,                               // 5..7: DataSegmentLength 59
            0x00, 0x02, 0x3D, 0x00, 0x00, 0x01,             // 8..13: ISID 00023d000001 (OUI format)
            0x00, 0x00,                                     // 14..15: TSIH 0 (new session)
            0x00, 0x00, 0x00, 0x00,                         // 16..19: Initiator Task Tag 0
            0x00, 0x01,                                     // 20..21: CID 1
            0x00, 0x00,                                     // 22..23: reserved
            0x00, 0x00, 0x00, 0x01,                         // 24..27: CmdSN 1
            0x00, 0x00, 0x00, 0x00,                         // 28..31: ExpStatSN 0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 32..47: reserved
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
    ), LOGIN_TEXT.getBytes(StandardCharsets.UTF_8), bytes(
            0x00                                            // 107: padding 59 -> 60
    ));

    @Test
    void decodesScsiCommandFixture() {
        ScsiCommand pdu = (ScsiCommand) decodeOne(SCSI_COMMAND);
        try {
            assertThat(pdu.immediate()).isTrue();
            assertThat(pdu.finalFlag()).isTrue();
            assertThat(pdu.read()).isFalse();
            assertThat(pdu.write()).isTrue();
            assertThat(pdu.attribute()).isEqualTo(1);
            assertThat(pdu.lun()).isEqualTo(0x0001_0000_0000_0000L);
            assertThat(pdu.initiatorTaskTag()).isEqualTo(0x1234_5678);
            assertThat(pdu.expectedDataTransferLength()).isEqualTo(512);
            assertThat(pdu.cmdSN()).isEqualTo(7);
            assertThat(pdu.expStatSN()).isEqualTo(3);
            assertThat(pdu.cdb()).isEqualTo(bytes(0x2A, 0, 0, 0, 0, 0x10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0));
            assertThat(pdu.bidirectionalReadDataLength()).isEqualTo(-1);
            assertThat(toArray(pdu.data())).isEqualTo(bytes(0xDE, 0xAD, 0xBE, 0xEF));
        } finally {
            pdu.release();
        }
    }

    @Test
    void encodesScsiCommandFixture() {
        ScsiCommand pdu = ScsiCommand.builder().immediate(true).finalFlag(true).write(true).attribute(1)
                .lun(0x0001_0000_0000_0000L).initiatorTaskTag(0x1234_5678).expectedDataTransferLength(512)
                .cmdSN(7).expStatSN(3).cdb(bytes(0x2A, 0, 0, 0, 0, 0x10, 0, 0, 1, 0))
                .data(pooled(bytes(0xDE, 0xAD, 0xBE, 0xEF))).build();
        assertThat(encodeToArray(pdu)).isEqualTo(SCSI_COMMAND);
    }

    @Test
    void decodesDataInFixture() {
        DataIn pdu = (DataIn) decodeOne(DATA_IN);
        try {
            assertThat(pdu.finalFlag()).isTrue();
            assertThat(pdu.acknowledge()).isFalse();
            assertThat(pdu.residualOverflow()).isFalse();
            assertThat(pdu.residualUnderflow()).isTrue();
            assertThat(pdu.statusPresent()).isTrue();
            assertThat(pdu.status()).isZero();
            assertThat(pdu.lun()).isZero();
            assertThat(pdu.initiatorTaskTag()).isEqualTo(42);
            assertThat(pdu.targetTransferTag()).isEqualTo(Pdu.RESERVED_TAG);
            assertThat(pdu.statSN()).isEqualTo(5);
            assertThat(pdu.expCmdSN()).isEqualTo(9);
            assertThat(pdu.maxCmdSN()).isEqualTo(40);
            assertThat(pdu.dataSN()).isEqualTo(2);
            assertThat(pdu.bufferOffset()).isEqualTo(4096);
            assertThat(pdu.residualCount()).isEqualTo(509);
            assertThat(pdu.dataSegmentLength()).isEqualTo(3);
            assertThat(pdu.data().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        } finally {
            pdu.release();
        }
    }

    @Test
    void encodesDataInFixture() {
        DataIn pdu = DataIn.builder().finalFlag(true).residualUnderflow(true).statusPresent(true).status(0)
                .initiatorTaskTag(42).statSN(5).expCmdSN(9).maxCmdSN(40).dataSN(2).bufferOffset(4096)
                .residualCount(509).data(pooled("abc")).build();
        assertThat(encodeToArray(pdu)).isEqualTo(DATA_IN);
    }

    @Test
    void encodesDataInFixtureWithoutAPduObject() {
        ByteBuf header = DataIn.encodeReadHeader(ByteBufAllocator.DEFAULT, true, true, 0, false, true, 509, 42, 2,
                4096, 5, 9, 40, 3);
        assertThat(encodeWithoutPduToArray(header, pooled("abc"))).isEqualTo(DATA_IN);
    }

    @Test
    void encodesScsiResponseFixture() {
        ScsiResponse pdu = ScsiResponse.builder().residualOverflow(true).residualCount(512).initiatorTaskTag(7)
                .statSN(11).expCmdSN(12).maxCmdSN(43).build();
        assertThat(encodeToArray(pdu)).isEqualTo(SCSI_RESPONSE);
    }

    @Test
    void encodesScsiResponseFixtureWithoutAPduObject() {
        ByteBuf header = ScsiResponse.encodeStatusHeader(ByteBufAllocator.DEFAULT, 7, 0, true, false, 512, 11, 12, 43);
        assertThat(encodeWithoutPduToArray(header, Unpooled.EMPTY_BUFFER)).isEqualTo(SCSI_RESPONSE);
    }

    @Test
    void decodesLoginRequestFixture() {
        assertThat(LOGIN_TEXT.length()).isEqualTo(59);
        LoginRequest pdu = (LoginRequest) decodeOne(LOGIN_REQUEST);
        try {
            assertThat(pdu.immediate()).isTrue();
            assertThat(pdu.transit()).isTrue();
            assertThat(pdu.continueFlag()).isFalse();
            assertThat(pdu.csg()).isZero();
            assertThat(pdu.nsg()).isEqualTo(1);
            assertThat(pdu.versionMax()).isZero();
            assertThat(pdu.versionMin()).isZero();
            assertThat(pdu.isid()).isEqualTo(0x0002_3D00_0001L);
            assertThat(pdu.tsih()).isZero();
            assertThat(pdu.initiatorTaskTag()).isZero();
            assertThat(pdu.cid()).isEqualTo(1);
            assertThat(pdu.cmdSN()).isEqualTo(1);
            assertThat(pdu.expStatSN()).isZero();
            assertThat(pdu.data().toString(StandardCharsets.UTF_8)).isEqualTo(LOGIN_TEXT);
        } finally {
            pdu.release();
        }
    }

    @Test
    void encodesLoginRequestFixture() {
        LoginRequest pdu = LoginRequest.builder().transit(true).csg(0).nsg(1).isid(0x0002_3D00_0001L).cid(1)
                .cmdSN(1).data(pooled(LOGIN_TEXT)).build();
        assertThat(pdu.immediate()).as("Login Request I bit defaults to 1").isTrue();
        assertThat(encodeToArray(pdu)).isEqualTo(LOGIN_REQUEST);
    }

    @Test
    void rfcReadCommandWithHeaderDigest() {
        // RFC 7143 Appendix B.4 (RFC 3720 B.4): "iSCSI - SCSI Read (10) Command PDU" and its CRC
        byte[] bhs = bytes(
                0x01, 0xC0, 0x00, 0x00,                         // 0..3: SCSI Command, F=1 R=1
                0x00, 0x00, 0x00, 0x00,                         // 4..7: no AHS, no data
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 8..15: LUN 0
                0x14, 0x00, 0x00, 0x00,                         // 16..19: Initiator Task Tag
                0x00, 0x00, 0x04, 0x00,                         // 20..23: Expected Data Transfer Length 1024
                0x00, 0x00, 0x00, 0x14,                         // 24..27: CmdSN 20
                0x00, 0x00, 0x00, 0x18,                         // 28..31: ExpStatSN 24
                0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 32..47: READ(10), 2 blocks
                0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
        byte[] digest = bytes(0x56, 0x3A, 0x96, 0xD9);            // CRC as listed in the RFC

        EmbeddedChannel channel = PduTestSupport.decoderChannel(true, false);
        channel.writeInbound(pooled(concat(bhs, digest)));
        ScsiCommand pdu = channel.readInbound();
        assertThat(pdu).isNotNull();
        assertThat(pdu.read()).isTrue();
        assertThat(pdu.initiatorTaskTag()).isEqualTo(0x1400_0000);
        assertThat(pdu.expectedDataTransferLength()).isEqualTo(1024);
        assertThat(pdu.cmdSN()).isEqualTo(20);
        assertThat(pdu.expStatSN()).isEqualTo(24);

        // and the encoder produces the same digest bytes
        ByteBuf wire = PduTestSupport.encode(pdu, new DigestSettings(true, false));
        try {
            assertThat(toArray(wire)).isEqualTo(concat(bhs, digest));
        } finally {
            wire.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
