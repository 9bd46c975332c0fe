package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands and task management requests sent with the raw test initiator without waiting for their answers, for the
 * tests that hold a backstore call back and watch what the target does meanwhile ({@link HoldingBackstore}).
 */
final class Pipelined {

    /** How long the tests watch for something that must not happen while a backstore call is held back. */
    static final Duration QUIET = Duration.ofMillis(300);

    private Pipelined() {
    }

    /** Asserts that nothing arrives on {@code ini} for {@link #QUIET}. */
    static void assertSilent(TestInitiator ini, String what) throws IOException {
        ini.readTimeout(QUIET);
        try {
            RawPdu p = ini.readPdu();
            throw new AssertionError(what + ", but got " + p);
        } catch (SocketTimeoutException expected) {
            // nothing came
        } finally {
            ini.readTimeout(Duration.ofSeconds(10));
        }
    }

    /** A target with one LUN over {@code backstore} on 127.0.0.1, port 0, with {@code ioThreads} I/O threads. */
    static IscsiTarget start(Backstore backstore, int ioThreads) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, backstore))
                .eventLoopThreads(2)
                .ioThreads(ioThreads)
                .build()
                .start();
    }

    /** One 512-byte block of {@code value}. */
    static byte[] block(byte value) {
        byte[] b = new byte[512];
        Arrays.fill(b, value);
        return b;
    }

    /**
     * Sends a SCSI Command to LUN 0 with task attribute {@code attribute} (1 SIMPLE, 2 ORDERED, 3 HEAD OF QUEUE), a
     * write's data as immediate data; does not wait. Returns its tag.
     */
    static int send(TestInitiator ini, int attribute, byte[] cdb, int readLength, byte[] writeData)
            throws IOException {
        int tag = ini.nextTag();
        boolean write = writeData != null;
        ini.send(Bhs.of(Bhs.SCSI_COMMAND)
                .flags(0x80 | (readLength > 0 ? 0x40 : 0) | (write ? 0x20 : 0) | attribute) // F, R, W, ATTR
                .lun(Bhs.encodeLun(0)).itt(tag)
                .i32(20, write ? writeData.length : readLength) // Expected Data Transfer Length
                .i32(24, ini.cmdSN()).i32(28, ini.expStatSN()).bytes(32, cdb), write ? writeData : new byte[0]);
        ini.advanceCmdSN(1);
        return tag;
    }

    /** WRITE (10) of one block of {@code value} at {@code lba}, SIMPLE; does not wait. */
    static int sendWrite(TestInitiator ini, long lba, byte value) throws IOException {
        return sendWrite(ini, 1, lba, value);
    }

    /** WRITE (10) of one block of {@code value} at {@code lba}; does not wait. */
    static int sendWrite(TestInitiator ini, int attribute, long lba, byte value) throws IOException {
        return send(ini, attribute, rw10(0x2A, lba), 0, block(value));
    }

    /** READ (10) of one block at {@code lba}; does not wait. */
    static int sendRead(TestInitiator ini, int attribute, long lba) throws IOException {
        return send(ini, attribute, rw10(0x28, lba), 512, null);
    }

    /** A READ (10) or WRITE (10) CDB of one block at {@code lba}. */
    static byte[] rw10(int opcode, long lba) {
        byte[] cdb = new byte[10];
        cdb[0] = (byte) opcode;
        ByteBuffer.wrap(cdb).putInt(2, (int) lba);
        cdb[8] = 1; // TRANSFER LENGTH: one block
        return cdb;
    }

    /** Sends an immediate Task Management Function Request for LUN 0; does not wait. Returns its tag. */
    static int sendTmf(TestInitiator ini, int function, int referencedTag, int refCmdSN) throws IOException {
        int tag = ini.nextTag();
        ini.send(Bhs.of(Bhs.TASK_MANAGEMENT_REQUEST).immediate(true).flags(0x80 | function)
                .lun(Bhs.encodeLun(0)).itt(tag).i32(20, referencedTag).i32(24, ini.cmdSN())
                .i32(28, ini.expStatSN()).i32(32, refCmdSN), new byte[0]);
        return tag;
    }

    /** Reads the next PDU, which must be the TMF response for {@code tag}, and returns its Response field. */
    static int tmfResponse(TestInitiator ini, int tag) throws IOException {
        ini.readTimeout(Duration.ofSeconds(10));
        RawPdu r = ini.readPdu();
        assertThat(r.opcode()).as("expected a TMF response, got %s", r).isEqualTo(Bhs.TASK_MANAGEMENT_RESPONSE);
        assertThat(r.itt()).isEqualTo(tag);
        ini.acceptStatus(r);
        return r.bhs()[2] & 0xFF;
    }

    /**
     * PERSISTENT RESERVE OUT (10) with a 24-byte parameter list (RESERVATION KEY, SERVICE ACTION RESERVATION KEY),
     * waiting for its status.
     */
    static ScsiResult prout(TestInitiator ini, int serviceAction, int type, long key, long saKey)
            throws IOException {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5F;
        cdb[1] = (byte) serviceAction;
        cdb[2] = (byte) type;
        cdb[8] = 24;
        return ini.execute(0, cdb, 0, ByteBuffer.allocate(24).putLong(key).putLong(saKey).array());
    }

    /** PERSISTENT RESERVE IN READ KEYS: the keys registered, in order. */
    static long[] readKeys(TestInitiator ini) throws IOException {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5E;
        cdb[8] = 64;
        ScsiResult r = ini.execute(0, cdb, 64, null);
        assertThat(r.status()).as("READ KEYS").isZero();
        ByteBuffer d = ByteBuffer.wrap(r.data());
        int n = d.getInt(4) / 8;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = d.getLong(8 + 8 * i);
        }
        return keys;
    }
}
