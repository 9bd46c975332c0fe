package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** PERSISTENT RESERVE OUT / PREEMPT AND ABORT reaches the preempted session's tasks (SPC-5 §5.14.11.2.4). */
class PreemptAndAbortTest {

    private static final int WRITE_EXCLUSIVE = 1;

    private static byte[] proutCdb(int serviceAction, int type) {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5F;
        cdb[1] = (byte) serviceAction;
        cdb[2] = (byte) type;         // scope LU (0), type
        cdb[8] = 24;                  // parameter list length
        return cdb;
    }

    private static byte[] proutParameters(long key, long serviceActionKey) {
        return ByteBuffer.allocate(24).putLong(key).putLong(serviceActionKey).array();
    }

    private static ScsiResult prout(TestInitiator ini, int serviceAction, int type, long key, long saKey)
            throws Exception {
        return ini.execute(0, proutCdb(serviceAction, type), 0, proutParameters(key, saKey));
    }

    @Test
    void preemptAndAbortDropsThePreemptedSessionsTasks() throws Exception {
        Map<String, String> solicited = Map.of("InitialR2T", "Yes", "ImmediateData", "No");
        try (IscsiTarget target = Targets.start();
             TestInitiator holder = TestInitiator.connect(target.localAddress());
             TestInitiator other = TestInitiator.connect(target.localAddress())) {
            holder.login("iqn.2026-11.io.iscsi4j:holder", Targets.IQN, solicited);
            other.login("iqn.2026-11.io.iscsi4j:other", Targets.IQN, solicited);

            assertThat(prout(holder, 0x00, 0, 0, 0xB0B).status()).as("REGISTER").isZero();
            assertThat(prout(holder, 0x01, WRITE_EXCLUSIVE, 0xB0B, 0).status()).as("RESERVE").isZero();
            assertThat(prout(other, 0x00, 0, 0, 0xA11CE).status()).as("REGISTER").isZero();

            // The holder starts a write and the target asks for its data with an R2T.
            int tag = holder.nextTag();
            byte[] cdb = new byte[10];
            cdb[0] = 0x2A;
            cdb[8] = 8;
            holder.send(Bhs.of(Bhs.SCSI_COMMAND).flags(0x80 | 0x20 | 0x01).lun(Bhs.encodeLun(0)).itt(tag)
                    .i32(20, 4096).i32(24, holder.cmdSN()).i32(28, holder.expStatSN()).bytes(32, cdb), new byte[0]);
            holder.advanceCmdSN(1);
            RawPdu r2t = holder.readPdu();
            assertThat(r2t.opcode()).isEqualTo(Bhs.R2T);

            ScsiResult preempt = prout(other, 0x05, WRITE_EXCLUSIVE, 0xA11CE, 0xB0B);
            assertThat(preempt.status()).as("PREEMPT AND ABORT").isZero();

            // The holder still sends the solicited data; the aborted write must neither answer nor be rejected.
            int ttt = ByteBuffer.wrap(r2t.bhs(), 20, 4).getInt();
            holder.send(Bhs.of(Bhs.DATA_OUT).flags(0x80).lun(Bhs.encodeLun(0)).itt(tag).i32(20, ttt)
                    .i32(28, holder.expStatSN()), new byte[4096]);

            // The holder's write is gone: no SCSI Response; its next command reports the preemption.
            ScsiResult next = holder.testUnitReady();
            assertThat(next.status()).as("CHECK CONDITION").isEqualTo(2);
            assertThat(next.senseKey()).as("UNIT ATTENTION").isEqualTo(6);
            assertThat(next.asc()).as("2Ah: reservations/registrations preempted").isEqualTo(0x2A);
            assertThat(holder.nopOut(new byte[] {7})).as("no stray response in between").containsExactly(7);
        }
    }
}
