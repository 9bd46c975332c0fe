package io.iscsi4j.core.session;

import io.iscsi4j.core.pdu.ScsiCommand;
import io.netty.buffer.Unpooled;

/** {@link ScsiCommandTask}s without a session, for tests of the task and of the session's parts on their own. */
final class DetachedTasks {

    private DetachedTasks() {
    }

    /**
     * A READ(10) or WRITE(10) of one block, without immediate data.
     *
     * @param read a read (R bit) rather than a write (W bit)
     * @param expectedLength the expected data transfer length
     * @param tag the initiator task tag, also the CmdSN
     */
    static ScsiCommandTask task(boolean read, int expectedLength, int tag) {
        return task(read, expectedLength, tag, null);
    }

    /**
     * A task as {@link #task(boolean, int, int)} makes, addressed to {@code unit} (or none).
     *
     * @param read a read (R bit) rather than a write (W bit)
     * @param expectedLength the expected data transfer length
     * @param tag the initiator task tag, also the CmdSN
     * @param unit the logical unit at its LUN, or {@code null}
     */
    static ScsiCommandTask task(boolean read, int expectedLength, int tag, io.iscsi4j.scsi.LogicalUnit unit) {
        ScsiCommand pdu = ScsiCommand.builder().finalFlag(true).read(read).write(!read).lun(0)
                .initiatorTaskTag(tag).cmdSN(tag).expectedDataTransferLength(expectedLength)
                .cdb(new byte[] {(byte) (read ? 0x28 : 0x2A), 0, 0, 0, 0, 0, 0, 0, 1, 0})
                .data(Unpooled.EMPTY_BUFFER).build();
        try {
            ScsiCommandTask task = new ScsiCommandTask(null, pdu, null);
            if (unit != null) {
                task.unitStarted(unit);
            }
            return task;
        } finally {
            pdu.release();
        }
    }
}
