package io.iscsi4j.scsi;

import java.nio.ByteBuffer;

/** Completes tasks that return parameter data built in memory (INQUIRY, MODE SENSE, REPORT LUNS, ...). */
final class Responses {

    private Responses() {
    }

    /** Completes {@code task} with GOOD status and no data. */
    static void good(ScsiTask task) {
        task.complete(ScsiStatus.GOOD, null, 0);
    }

    /**
     * Sends {@code data}, truncated to the CDB's allocation length (SPC-5 §4.2.5.6) and to what the initiator
     * expects, and completes with GOOD. The reported data length is {@code min(allocationLength, data.length)}, so
     * the transport reports an overflow residual when the initiator expects less.
     */
    static void data(ScsiTask task, byte[] data, long allocationLength) {
        int length = (int) Math.min(allocationLength, data.length);
        int sent = (int) Math.min(length, task.expectedTransferLength());
        if (sent > 0) {
            ByteBuffer dst = task.allocateDataIn(sent);
            dst.put(dst.position(), data, 0, sent);
        }
        task.complete(ScsiStatus.GOOD, null, length);
    }
}
