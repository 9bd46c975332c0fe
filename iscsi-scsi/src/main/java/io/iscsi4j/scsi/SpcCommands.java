package io.iscsi4j.scsi;

import java.nio.ByteBuffer;

/** TEST UNIT READY, REQUEST SENSE and REPORT LUNS (SPC-5 §6.37, §6.39, §6.33). */
final class SpcCommands {

    /** REPORT LUNS data with an empty LUN list: the 8-byte header only. */
    private static final byte[] NO_LUNS = new byte[8];

    private SpcCommands() {
    }

    /** TEST UNIT READY: a logical unit over a backstore is always ready. */
    static void testUnitReady(ScsiTask task) {
        Responses.good(task);
    }

    /**
     * REQUEST SENSE: no pending sense is kept (autosense reports errors with the failing command), so the answer
     * is NO SENSE, or LOGICAL UNIT NOT SUPPORTED when there is no logical unit at the LUN; GOOD status.
     *
     * @param lu the addressed logical unit, or {@code null}
     */
    static void requestSense(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        boolean descriptor = Cdb.bit(cdb, 1, 0); // DESC
        SenseData sense = (lu == null ? Sense.LU_NOT_SUPPORTED : Sense.NO_SENSE).withDescriptorFormat(descriptor);
        Responses.data(task, sense.toBytes(), Cdb.u8(cdb, 4));
    }

    /**
     * REPORT LUNS.
     *
     * @param lunList parameter data listing every logical unit (for SELECT REPORT 00h and 02h)
     */
    static void reportLuns(ScsiTask task, byte[] lunList) {
        ByteBuffer cdb = task.cdb();
        int select = Cdb.u8(cdb, 2);
        long allocationLength = Cdb.u32(cdb, 6);
        byte[] data;
        switch (select) {
            case 0x00, 0x02 -> data = lunList; // logical units (and well-known LUNs, of which there are none)
            case 0x01 -> data = NO_LUNS;       // well-known LUNs only
            default -> {
                Sense.fail(task, Sense.invalidField(2, -1));
                return;
            }
        }
        if (allocationLength < 16) {
            Sense.fail(task, Sense.invalidField(6, -1));
            return;
        }
        Responses.data(task, data, allocationLength);
    }

    /** Builds REPORT LUNS parameter data (SPC-5 §6.33.2) for LUN numbers in ascending order. */
    static byte[] lunList(int[] sortedLuns) {
        byte[] d = new byte[8 + 8 * sortedLuns.length];
        Bytes.putU32(d, 0, 8L * sortedLuns.length); // LUN LIST LENGTH
        for (int i = 0; i < sortedLuns.length; i++) {
            Bytes.putU64(d, 8 + 8 * i, Lun.encode(sortedLuns[i]));
        }
        return d;
    }
}
