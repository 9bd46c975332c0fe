package io.iscsi4j.core.pdu;

import static io.iscsi4j.core.pdu.PduTestSupport.bytes;
import static io.iscsi4j.core.pdu.PduTestSupport.pooled;
import static io.iscsi4j.core.pdu.PduTestSupport.toArray;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Opcodes, reasons, builders' validation and convenience methods, {@link Pdu#decode} ownership. */
class PduApiTest {

    @Test
    void opcodeLookup() throws PduException {
        for (Opcode opcode : Opcode.values()) {
            assertThat(Opcode.fromCode(opcode.code())).isSameAs(opcode);
            assertThat(opcode.fromInitiator()).isEqualTo(opcode.code() < 0x20);
        }
        assertThat(Opcode.R2T.code()).isEqualTo(0x31);
        assertThat(Opcode.REJECT.code()).isEqualTo(0x3F);
        assertThatThrownBy(() -> Opcode.fromCode(0x07)).isInstanceOf(PduException.class)
                .extracting(e -> ((PduException) e).reason()).isEqualTo(RejectReason.COMMAND_NOT_SUPPORTED);
    }

    @Test
    void rejectReasonCodes() throws PduException {
        assertThat(RejectReason.DATA_DIGEST_ERROR.code()).isEqualTo(0x02);
        assertThat(RejectReason.INVALID_PDU_FIELD.code()).isEqualTo(0x09);
        assertThat(RejectReason.WAITING_FOR_LOGOUT.code()).isEqualTo(0x0C);
        for (RejectReason reason : RejectReason.values()) {
            assertThat(RejectReason.fromCode(reason.code())).isSameAs(reason);
        }
    }

    @Test
    void buildersValidateFieldWidths() {
        assertThatThrownBy(() -> LoginRequest.builder().csg(4).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoginRequest.builder().isid(1L << 48).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogoutResponse.builder().time2Wait(0x10000).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScsiCommand.builder().expectedDataTransferLength(-1).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScsiCommand.builder().cdb(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DataIn.builder().status(256).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Reject.builder().initiatorTaskTag(1).build())
                .isInstanceOf(IllegalArgumentException.class);

        ByteBuf tooLong = Unpooled.wrappedBuffer(new byte[Pdu.MAX_DATA_SEGMENT_LENGTH + 1]);
        assertThatThrownBy(() -> DataIn.builder().data(tooLong).build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaults() {
        DataIn dataIn = DataIn.builder().build();
        assertThat(dataIn.targetTransferTag()).isEqualTo(Pdu.RESERVED_TAG);
        assertThat(dataIn.data()).isSameAs(Unpooled.EMPTY_BUFFER);
        assertThat(dataIn.dataSegmentLength()).isZero();
        assertThat(Reject.builder().build().initiatorTaskTag()).isEqualTo(Pdu.RESERVED_TAG);
        assertThat(AsyncMessage.builder().build().initiatorTaskTag()).isEqualTo(Pdu.RESERVED_TAG);
        assertThat(LoginRequest.builder().build().immediate()).isTrue();
        ScsiCommand command = ScsiCommand.builder().cdb(bytes(0x00, 0, 0, 0, 0, 0)).build();
        assertThat(command.cdb()).hasSize(16);
        assertThat(command.bidirectionalReadDataLength()).isEqualTo(-1);
        assertThat(command.headerLength()).isEqualTo(48);
    }

    @Test
    void scsiResponseSense() {
        byte[] sense = bytes(0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x24, 0x00, 0, 0, 0, 0);
        ScsiResponse response = ScsiResponse.builder().status(0x02).sense(sense).build();
        assertThat(response.dataSegmentLength()).isEqualTo(2 + sense.length);
        assertThat(response.data().getUnsignedShort(0)).isEqualTo(sense.length);
        assertThat(response.sense()).isEqualTo(sense);
        assertThat(ScsiResponse.builder().build().sense()).isEmpty();
        response.release();
    }

    @Test
    void rejectTakesOwnershipOfTheRejectedHeader() {
        ByteBuf header = ByteBufAllocator.DEFAULT.buffer(48).writeZero(48);
        header.setByte(0, 0x41);
        Reject reject = Reject.builder().reason(RejectReason.PROTOCOL_ERROR).statSN(1)
                .rejectedHeader(header.retainedSlice()).build();
        header.release();
        assertThat(reject.initiatorTaskTag()).isEqualTo(Pdu.RESERVED_TAG);
        assertThat(reject.dataSegmentLength()).isEqualTo(48);
        assertThat(reject.data().getByte(0)).isEqualTo((byte) 0x41);
        assertThat(reject.release()).isTrue();
        assertThat(header.refCnt()).isZero();

        ByteBuf shortHeader = Unpooled.wrappedBuffer(new byte[47]);
        assertThatThrownBy(() -> Reject.builder().rejectedHeader(shortHeader))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectEncodesFixedFields() {
        byte[] wire = PduTestSupport.encodeToArray(Reject.builder().reason(RejectReason.DATA_DIGEST_ERROR)
                .statSN(3).rejectedHeader(pooled(new byte[48])).build());
        assertThat(wire[0]).isEqualTo((byte) 0x3F);
        assertThat(wire[1]).isEqualTo((byte) 0x80); // F bit always 1
        assertThat(wire[2]).isEqualTo((byte) 0x02); // reason
        assertThat(Unpooled.wrappedBuffer(wire).getInt(16)).isEqualTo(Pdu.RESERVED_TAG);
        assertThat(wire).hasSize(96);
    }

    @Test
    void decodeTakesOwnershipOfDataAndReleasesItOnFailure() {
        byte[] bhs = PduTestSupport.encodeToArray(ScsiCommand.builder().initiatorTaskTag(1).attribute(7).build());
        ByteBuf data = pooled(new byte[0]);
        assertThatThrownBy(() -> Pdu.decode(Unpooled.wrappedBuffer(bhs), Unpooled.EMPTY_BUFFER, data))
                .isInstanceOf(PduException.class)
                .extracting(e -> ((PduException) e).reason()).isEqualTo(RejectReason.PROTOCOL_ERROR);
        assertThat(data.refCnt()).isZero();

        // length mismatch between the BHS and the supplied parts
        ByteBuf extra = pooled(new byte[] {1});
        assertThatThrownBy(() -> Pdu.decode(Unpooled.wrappedBuffer(bhs), Unpooled.EMPTY_BUFFER, extra))
                .isInstanceOf(PduException.class);
        assertThat(extra.refCnt()).isZero();
    }

    @Test
    void decodeReadsAtTheReaderIndexWithoutMovingIt() throws PduException {
        byte[] wire = PduTestSupport.encodeToArray(NopOut.builder().initiatorTaskTag(0x0BADF00D).cmdSN(5).build());
        ByteBuf bhs = Unpooled.buffer().writeZero(3).writeBytes(wire);
        bhs.skipBytes(3);
        Pdu pdu = Pdu.decode(bhs, Unpooled.EMPTY_BUFFER, Unpooled.EMPTY_BUFFER);
        assertThat(pdu).isInstanceOf(NopOut.class);
        assertThat(pdu.initiatorTaskTag()).isEqualTo(0x0BADF00D);
        assertThat(((NopOut) pdu).cmdSN()).isEqualTo(5);
        assertThat(bhs.readerIndex()).isEqualTo(3);
    }

    @Test
    void referenceCountingDelegatesToData() {
        ByteBuf data = pooled("abc");
        TextResponse pdu = TextResponse.builder().data(data).build();
        assertThat(pdu.retain()).isSameAs(pdu);
        assertThat(data.refCnt()).isEqualTo(2);
        assertThat(pdu.release()).isFalse();
        assertThat(pdu.touch("hint")).isSameAs(pdu);
        assertThat(pdu.release()).isTrue();
        assertThat(data.refCnt()).isZero();
    }

    @Test
    void toStringShowsFieldsUnsigned() {
        ScsiCommand command = ScsiCommand.builder().initiatorTaskTag(0xFFFF_FFFE).cmdSN(0xFFFF_FFFF)
                .cdb(bytes(0x12, 0, 0, 0, 0x24, 0)).data(pooled(new byte[3])).build();
        assertThat(command.toString()).contains("ScsiCommand{").contains("itt=0xfffffffe")
                .contains("cmdSN=4294967295").contains("cdb=12000000240000").contains("dataSegmentLength=3");
        command.release();
        assertThat(toArray(Unpooled.EMPTY_BUFFER)).isEmpty();
    }
}
