package io.iscsi4j.scsi;

import java.nio.ByteBuffer;

/**
 * REPORT TARGET PORT GROUPS (SPC-5 §6.37), a MAINTENANCE IN service action: the target port groups of
 * {@link TargetPortGroups} with their asymmetric access states. PARAMETER DATA FORMAT 000b returns the length-only
 * header, 001b the extended header (FORMAT TYPE 001b, IMPLICIT TRANSITION TIME
 * {@value TargetPortGroups#IMPLICIT_TRANSITION_SECONDS} s); any other format is INVALID FIELD IN CDB. The data is
 * cut to the ALLOCATION LENGTH, whatever it is (0 to 3 included).
 */
final class ReportTargetPortGroups {

    private static final int LENGTH_ONLY_HEADER = 0b000;
    private static final int EXTENDED_HEADER = 0b001;

    private ReportTargetPortGroups() {
    }

    static void execute(ScsiTask task, TargetPortGroups groups) {
        ByteBuffer cdb = task.cdb();
        int format = Cdb.u8(cdb, 1) >>> 5; // PARAMETER DATA FORMAT, bits 7-5
        if (format != LENGTH_ONLY_HEADER && format != EXTENDED_HEADER) {
            Sense.fail(task, Sense.invalidField(1, 7));
            return;
        }
        Responses.data(task, groups.report(format == EXTENDED_HEADER), Cdb.u32(cdb, 6));
    }
}
