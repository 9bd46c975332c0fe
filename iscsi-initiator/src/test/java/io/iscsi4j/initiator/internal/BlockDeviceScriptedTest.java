package io.iscsi4j.initiator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.core.pdu.DataIn;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.core.pdu.ScsiResponse;
import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.IscsiInitiator;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BlockDevice} against a scripted target that lacks READ CAPACITY (16) and reports small Block Limits:
 * the READ CAPACITY (10) fallback, transfers split at MAXIMUM TRANSFER LENGTH and unmaps at MAXIMUM UNMAP LBA COUNT.
 */
@Timeout(30)
class BlockDeviceScriptedTest {

    /** What the scripted target saw: opcode, LBA, blocks (for UNMAP: the descriptor's LBA and count). */
    private record Seen(int opcode, long lba, long blocks) {
    }

    @Test
    void fallsBackToReadCapacity10AndSplitsByTheBlockLimits() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        try (ScriptedTarget target = new ScriptedTarget();
             IscsiInitiator initiator = IscsiInitiator.builder().build()) {
            Thread responder = new Thread(() -> respond(target, seen), "scripted-responder");
            responder.setDaemon(true);
            responder.start();
            IscsiSession session = initiator.login(target.portal(), "iqn.2026-12.io.iscsi4j:scripted",
                    LoginOptions.builder().commandTimeout(Duration.ofSeconds(5)).build())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            BlockDevice disk = session.lun(0);
            assertThat(disk.blockCount()).isEqualTo(1024);
            assertThat(disk.blockSize()).isEqualTo(512);
            assertThat(disk.maxTransferBytes()).isEqualTo(8 * 512);
            assertThat(seen).extracting(Seen::opcode).containsExactly(0x9E, 0x25, 0x12);
            seen.clear();

            disk.writeBlocking(10, ByteBuffer.allocate(32 * 512));
            assertThat(seen).containsExactlyInAnyOrder(new Seen(0x8A, 10, 8), new Seen(0x8A, 18, 8),
                    new Seen(0x8A, 26, 8), new Seen(0x8A, 34, 8));
            seen.clear();

            ByteBuffer dst = ByteBuffer.allocate(12 * 512);
            disk.readBlocking(100, dst);
            assertThat(seen).containsExactlyInAnyOrder(new Seen(0x88, 100, 8), new Seen(0x88, 108, 4));
            assertThat(dst.get(0)).isEqualTo((byte) 100);
            assertThat(dst.get(8 * 512)).isEqualTo((byte) 108);
            seen.clear();

            disk.unmapBlocking(0, 250);
            assertThat(seen).containsExactlyInAnyOrder(new Seen(0x42, 0, 100), new Seen(0x42, 100, 100),
                    new Seen(0x42, 200, 50));
            session.close();
        }
    }

    private static void respond(ScriptedTarget target, List<Seen> seen) {
        try {
            for (;;) {
                Pdu pdu = target.take();
                try {
                    if (pdu instanceof ScsiCommand command) {
                        answer(target, command, seen);
                    }
                } finally {
                    pdu.release();
                }
            }
        } catch (InterruptedException | AssertionError e) {
            // the test ended
        }
    }

    private static void answer(ScriptedTarget target, ScsiCommand command, List<Seen> seen) {
        byte[] cdb = command.cdb();
        int opcode = cdb[0] & 0xFF;
        ByteBuffer c = ByteBuffer.wrap(cdb);
        int itt = command.initiatorTaskTag();
        int next = command.cmdSN() + 1;
        switch (opcode) {
            case 0x9E -> {
                seen.add(new Seen(opcode, 0, 0));
                byte[] sense = new byte[18];
                sense[0] = 0x70;
                sense[2] = 0x05; // ILLEGAL REQUEST
                sense[7] = 10;
                sense[12] = 0x20; // INVALID COMMAND OPERATION CODE
                target.send(ScsiResponse.builder().initiatorTaskTag(itt).status(2).sense(sense)
                        .statSN(target.nextStatSN()).expCmdSN(next).maxCmdSN(next + 31).build());
            }
            case 0x25 -> {
                seen.add(new Seen(opcode, 0, 0));
                ByteBuf data = Unpooled.buffer(8).writeInt(1023).writeInt(512);
                dataIn(target, command, data);
            }
            case 0x12 -> {
                seen.add(new Seen(opcode, 0, 0));
                ByteBuf data = Unpooled.buffer(64).writeZero(64);
                data.setByte(1, 0xB0);
                data.setShort(2, 60);
                data.setInt(8, 8);     // MAXIMUM TRANSFER LENGTH: 8 blocks
                data.setInt(20, 100);  // MAXIMUM UNMAP LBA COUNT
                dataIn(target, command, data);
            }
            case 0x8A -> {
                seen.add(new Seen(opcode, c.getLong(2), c.getInt(10)));
                assertThat(command.dataSegmentLength()).isEqualTo(c.getInt(10) * 512);
                target.send(ScsiResponse.builder().initiatorTaskTag(itt).status(0)
                        .statSN(target.nextStatSN()).expCmdSN(next).maxCmdSN(next + 31).build());
            }
            case 0x88 -> {
                long lba = c.getLong(2);
                int blocks = c.getInt(10);
                seen.add(new Seen(opcode, lba, blocks));
                ByteBuf data = Unpooled.buffer(blocks * 512).writeZero(blocks * 512);
                data.setByte(0, (int) lba);
                dataIn(target, command, data);
            }
            case 0x42 -> {
                ByteBuf parameters = command.data();
                seen.add(new Seen(opcode, parameters.getLong(parameters.readerIndex() + 8),
                        parameters.getUnsignedInt(parameters.readerIndex() + 16)));
                target.send(ScsiResponse.builder().initiatorTaskTag(itt).status(0)
                        .statSN(target.nextStatSN()).expCmdSN(next).maxCmdSN(next + 31).build());
            }
            default -> target.send(ScsiResponse.builder().initiatorTaskTag(itt).status(0)
                    .statSN(target.nextStatSN()).expCmdSN(next).maxCmdSN(next + 31).build());
        }
    }

    /** The data in one Data-In with status; an underflow when the command asked for more. */
    private static void dataIn(ScriptedTarget target, ScsiCommand command, ByteBuf data) {
        long expected = command.expectedDataTransferLength();
        int length = (int) Math.min(expected, data.readableBytes());
        ByteBuf sent = data.retainedSlice(0, length);
        data.release();
        int next = command.cmdSN() + 1;
        target.send(DataIn.builder().initiatorTaskTag(command.initiatorTaskTag()).dataSN(0).bufferOffset(0)
                .finalFlag(true).statusPresent(true).status(0)
                .residualUnderflow(expected > length).residualCount(expected - length)
                .statSN(target.nextStatSN()).expCmdSN(next).maxCmdSN(next + 31).data(sent).build());
    }
}
