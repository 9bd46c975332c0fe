package io.iscsi4j.scsi;

import java.nio.ByteBuffer;

/**
 * TEST UNIT READY, REQUEST SENSE, REPORT LUNS, LOG SENSE (SPC-5 §6.37, §6.39, §6.33, §6.8), and START STOP UNIT and
 * PREVENT ALLOW MEDIUM REMOVAL (SBC-4 §5.31, §5.12) for a logical unit whose medium is always there.
 */
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
     * is NO SENSE, or what keeps other commands from running: NOT READY / LOGICAL UNIT NOT ACCESSIBLE (the
     * asymmetric access state's code) while the target port's group is in standby, unavailable or transitioning, NOT
     * READY / OPERATION IN PROGRESS while a backstore call past the backstore timeout runs, NOT READY / SANITIZE IN
     * PROGRESS with the progress indication while a SANITIZE runs, MEDIUM ERROR / SANITIZE COMMAND FAILED in the
     * sanitize failure mode; or LOGICAL UNIT NOT SUPPORTED when there is no logical unit at the LUN. GOOD status.
     *
     * @param lu the addressed logical unit, or {@code null}
     * @param state the asymmetric access state of the target port's group
     */
    static void requestSense(ScsiTask task, LogicalUnit lu, AccessState state) {
        if (lu == null) {
            requestSense(task, Sense.LU_NOT_SUPPORTED);
            return;
        }
        if (!state.active()) {
            requestSense(task, state.refusal());
            return;
        }
        SenseData sanitize = lu.sanitizeState().refusal();
        requestSense(task, lu.notReadyForStalledCall() ? BackstoreTimeouts.NOT_READY
                : sanitize != null ? sanitize : Sense.NO_SENSE);
    }

    /** REQUEST SENSE returning {@code sense} (for example a pending unit attention, which it clears). */
    static void requestSense(ScsiTask task, SenseData sense) {
        ByteBuffer cdb = task.cdb();
        boolean descriptor = Cdb.bit(cdb, 1, 0); // DESC
        Responses.data(task, sense.withDescriptorFormat(descriptor).toBytes(), Cdb.u8(cdb, 4));
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

    /**
     * START STOP UNIT: GOOD. The medium cannot stop or be ejected (RMB 0) and there are no power conditions to enter;
     * the logical unit stays ready, whatever START, LOEJ, NO_FLUSH and POWER CONDITION say.
     */
    static void startStopUnit(ScsiTask task) {
        Responses.good(task);
    }

    /**
     * PREVENT ALLOW MEDIUM REMOVAL: PREVENT 00b (allow) and 01b (prevent) are GOOD, there being no removable medium
     * to lock; the obsolete values 10b and 11b are INVALID FIELD IN CDB.
     */
    static void preventAllowMediumRemoval(ScsiTask task) {
        if ((Cdb.u8(task.cdb(), 4) & 0x02) != 0) {
            Sense.fail(task, Sense.invalidField(4, 1));
            return;
        }
        Responses.good(task);
    }

    /**
     * LOG SENSE: only the Supported Log Pages page (00h) and the Supported Log Pages and Subpages page (00h/FFh)
     * exist, listing themselves; no log parameters are kept. SP (saving) is INVALID FIELD IN CDB, as are other pages;
     * the page control and parameter pointer do not matter for these pages.
     */
    static void logSense(ScsiTask task) {
        ByteBuffer cdb = task.cdb();
        if (Cdb.bit(cdb, 1, 0)) { // SP
            Sense.fail(task, Sense.invalidField(1, 0));
            return;
        }
        int page = Cdb.u8(cdb, 2) & 0x3F;
        int subpage = Cdb.u8(cdb, 3);
        byte[] d;
        if (page == 0 && subpage == 0) {
            d = new byte[] {0x00, 0x00, 0x00, 0x01, 0x00};                   // page 00h
        } else if (page == 0 && subpage == 0xFF) {
            d = new byte[] {0x40, (byte) 0xFF, 0x00, 0x04, 0x00, 0x00, 0x00, (byte) 0xFF}; // SPF: 00h/00h, 00h/FFh
        } else {
            Sense.fail(task, Sense.invalidField(page == 0 ? 3 : 2, page == 0 ? -1 : 5));
            return;
        }
        Responses.data(task, d, Cdb.u16(cdb, 7));
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
