package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import org.slf4j.LoggerFactory;

/**
 * MODE SELECT (6) and (10) (SPC-5 §6.11, §6.12) for the pages {@link ModeSense} reports.
 *
 * <p>Changeable parameters (as MODE SENSE's changeable values say): WCE in the caching page of a logical unit
 * configured write-back, D_SENSE and SWP in the control page. A page may be sent with any values as long as every bit
 * that is not changeable equals its current value; otherwise the command ends with INVALID FIELD IN PARAMETER LIST
 * pointing at the first differing bit and nothing changes. So a caching page with WCE=1 sent to a logical unit
 * configured write-through ends with INVALID FIELD IN PARAMETER LIST pointing at WCE (byte 2, bit 2 of the page):
 * a write-through logical unit stays write-through. The whole parameter list is validated before anything is applied. Other checks: SP = 1 (saving)
 * and PF = 0 with a parameter list are INVALID FIELD IN CDB; a list shorter than its header, or a page running past
 * the list's end, is PARAMETER LIST LENGTH ERROR; a non-zero MEDIUM TYPE, an unknown page, a page with PS set or of
 * the wrong length, and a block descriptor that changes the block size or the capacity are INVALID FIELD IN
 * PARAMETER LIST.
 *
 * <p>Effect: WCE switches a write-back logical unit to write-through and back; D_SENSE selects descriptor-format
 * sense data for later CHECK CONDITIONs; SWP write-protects the medium (commands that would change it end with DATA
 * PROTECT / WRITE PROTECTED, and MODE SENSE reports WP). Changes apply to every I_T nexus immediately and are lost
 * on restart; other I_T nexuses are not told with a unit attention.
 */
final class ModeSelect {

    private ModeSelect() {
    }

    static void execute(ScsiTask task, LogicalUnit lu, boolean ten) {
        ByteBuffer cdb = task.cdb();
        if (Cdb.bit(cdb, 1, 0)) { // SP
            Sense.fail(task, Sense.invalidField(1, 0));
            return;
        }
        int parameterListLength = ten ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);
        if (parameterListLength == 0) {
            Responses.good(task);
            return;
        }
        if (!Cdb.bit(cdb, 1, 4)) { // PF: only the page format is implemented
            Sense.fail(task, Sense.invalidField(1, 4));
            return;
        }
        int length = (int) Math.min(parameterListLength, task.expectedTransferLength());
        task.receiveDataOut(length, (list, dataOutFailure) -> {
            if (dataOutFailure != null) {
                return;
            }
            byte[] b = new byte[length];
            list.get(list.position(), b);
            SenseData error = apply(lu, b, ten);
            if (error != null) {
                Sense.fail(task, error);
                return;
            }
            lu.shareModeParameters().whenComplete((v, failure) -> {
                if (failure != null) {
                    LoggerFactory.getLogger(ModeSelect.class).error(
                            "MODE SELECT: telling the other gateways the new mode parameters failed", failure);
                    Sense.fail(task, Sense.INTERNAL_TARGET_FAILURE);
                } else {
                    task.complete(ScsiStatus.GOOD, null, parameterListLength);
                }
            });
        });
    }

    /** Validates the parameter list and applies it; returns the sense data of the first error, or null. */
    static SenseData apply(LogicalUnit lu, byte[] b, boolean ten) {
        int header = ten ? 8 : 4;
        if (b.length < header) {
            return Sense.PARAMETER_LIST_LENGTH_ERROR;
        }
        if (b[ten ? 2 : 1] != 0) { // MEDIUM TYPE
            return Sense.invalidParameter(ten ? 2 : 1, -1);
        }
        boolean longLba = ten && (b[4] & 0x01) != 0;
        int descriptorLength = ten ? ((b[6] & 0xFF) << 8) | (b[7] & 0xFF) : b[3] & 0xFF;
        if (header + descriptorLength > b.length) {
            return Sense.PARAMETER_LIST_LENGTH_ERROR;
        }
        if (descriptorLength != 0) {
            SenseData error = checkBlockDescriptor(lu, b, header, descriptorLength, longLba);
            if (error != null) {
                return error;
            }
        }
        boolean wce = lu.isWriteBack();
        boolean dSense = lu.descriptorSense();
        boolean swp = lu.softwareWriteProtect();
        int p = header + descriptorLength;
        while (p < b.length) {
            if (p + 2 > b.length) {
                return Sense.PARAMETER_LIST_LENGTH_ERROR;
            }
            int code = b[p] & 0xFF;
            if ((code & 0xC0) != 0) { // PS is reserved in MODE SELECT; SPF: no subpages are implemented
                return Sense.invalidParameter(p, (code & 0x80) != 0 ? 7 : 6);
            }
            byte[] current;
            byte[] changeable;
            if (code == ModeSense.PAGE_CACHING) {
                current = ModeSense.cachingPage(lu, ModeSense.PC_CURRENT);
                changeable = ModeSense.cachingPage(lu, ModeSense.PC_CHANGEABLE);
            } else if (code == ModeSense.PAGE_CONTROL) {
                current = ModeSense.controlPage(lu, ModeSense.PC_CURRENT);
                changeable = ModeSense.controlPage(lu, ModeSense.PC_CHANGEABLE);
            } else {
                return Sense.invalidParameter(p, 5);
            }
            if ((b[p + 1] & 0xFF) != current.length - 2) {
                return Sense.invalidParameter(p + 1, -1);
            }
            if (p + current.length > b.length) {
                return Sense.PARAMETER_LIST_LENGTH_ERROR;
            }
            for (int i = 2; i < current.length; i++) {
                int differs = (b[p + i] ^ current[i]) & ~changeable[i] & 0xFF;
                if (differs != 0) {
                    return Sense.invalidParameter(p + i, 31 - Integer.numberOfLeadingZeros(differs));
                }
            }
            if (code == ModeSense.PAGE_CACHING) {
                wce = (b[p + 2] & 0x04) != 0;
            } else {
                dSense = (b[p + 2] & 0x04) != 0;
                swp = (b[p + 4] & 0x08) != 0;
            }
            p += current.length;
        }
        lu.setModeParameters(wce, swp, dSense);
        return null;
    }

    /** A block descriptor may restate the current geometry (or give 0 blocks: no change), never change it. */
    private static SenseData checkBlockDescriptor(LogicalUnit lu, byte[] b, int p, int length, boolean longLba) {
        if (length != (longLba ? 16 : 8)) {
            return Sense.invalidParameter(longLba ? 6 : 3, -1);
        }
        ByteBuffer d = ByteBuffer.wrap(b, p, length).slice();
        long blocks = longLba ? d.getLong(0) : Integer.toUnsignedLong(d.getInt(0));
        long blockLength = longLba ? Integer.toUnsignedLong(d.getInt(12)) : d.getInt(4) & 0xFF_FFFFL;
        long current = longLba ? lu.blockCount() : Math.min(lu.blockCount(), 0xFFFF_FFFFL);
        if (blocks != 0 && blocks != current) {
            return Sense.invalidParameter(p, -1);
        }
        if (blockLength != lu.blockSize()) {
            return Sense.invalidParameter(p + (longLba ? 12 : 5), -1);
        }
        return null;
    }
}
