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
        ScsiCommand pdu = ScsiCommand.builder().finalFlag(true).read(read).write(!read).lun(0)
                .initiatorTaskTag(tag).cmdSN(tag).expectedDataTransferLength(expectedLength)
                .cdb(new byte[] {(byte) (read ? 0x28 : 0x2A), 0, 0, 0, 0, 0, 0, 0, 1, 0})
                .data(Unpooled.EMPTY_BUFFER).build();
        try {
            return new ScsiCommandTask(null, pdu, null);
        } finally {
            pdu.release();
        }
    }
}
