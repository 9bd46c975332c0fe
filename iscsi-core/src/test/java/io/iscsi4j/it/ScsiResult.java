package io.iscsi4j.it;

import java.util.HexFormat;
import java.util.List;

/**
 * The outcome of one SCSI command as the test initiator saw it.
 *
 * @param response the iSCSI Response field (0 = Command Completed at Target), or -1 when the command was
 *        discarded by the target (rejected)
 * @param status the SCSI status (0 GOOD, 2 CHECK CONDITION, ...), or -1 when the command was discarded
 * @param data the Data-In bytes received (the first {@code received} bytes of the expected transfer)
 * @param sense the sense data (without the 2-byte SenseLength), empty if none
 * @param underflow the U bit: residual underflow
 * @param overflow the O bit: residual overflow
 * @param residualCount the Residual Count field
 * @param rejects Reject PDUs received while the command was outstanding
 */
record ScsiResult(int response, int status, byte[] data, byte[] sense, boolean underflow, boolean overflow,
                  int residualCount, List<RawPdu> rejects) {

    static final int GOOD = 0x00;
    static final int CHECK_CONDITION = 0x02;

    /** Whether the target completed the command with GOOD status. */
    boolean good() {
        return response == 0 && status == GOOD;
    }

    /** Sense key, from fixed (70h/71h) or descriptor (72h/73h) format sense data; -1 if none. */
    int senseKey() {
        if (sense.length < 3) {
            return -1;
        }
        return descriptorFormat() ? sense[1] & 0x0F : sense[2] & 0x0F;
    }

    /** Additional sense code; -1 if none. */
    int asc() {
        int i = descriptorFormat() ? 2 : 12;
        return sense.length > i ? sense[i] & 0xFF : -1;
    }

    /** Additional sense code qualifier; -1 if none. */
    int ascq() {
        int i = descriptorFormat() ? 3 : 13;
        return sense.length > i ? sense[i] & 0xFF : -1;
    }

    private boolean descriptorFormat() {
        int code = sense.length > 0 ? sense[0] & 0x7F : 0;
        return code == 0x72 || code == 0x73;
    }

    @Override
    public String toString() {
        return "ScsiResult[response=" + response + ", status=0x" + Integer.toHexString(status) + ", data="
                + data.length + " bytes, sense=" + HexFormat.of().formatHex(sense) + ", underflow=" + underflow
                + ", overflow=" + overflow + ", residual=" + Integer.toUnsignedString(residualCount) + ", rejects="
                + rejects + "]";
    }
}
