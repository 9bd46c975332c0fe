package io.iscsi4j.scsi;

/** Operation codes the dispatcher implements (SPC-5 §4.2.5, SBC-4 §5) and their CDB lengths. */
final class Opcode {

    static final int TEST_UNIT_READY = 0x00;
    static final int REQUEST_SENSE = 0x03;
    static final int READ_6 = 0x08;
    static final int WRITE_6 = 0x0A;
    static final int INQUIRY = 0x12;
    static final int MODE_SENSE_6 = 0x1A;
    static final int READ_CAPACITY_10 = 0x25;
    static final int READ_10 = 0x28;
    static final int WRITE_10 = 0x2A;
    static final int SYNCHRONIZE_CACHE_10 = 0x35;
    static final int MODE_SENSE_10 = 0x5A;
    static final int READ_16 = 0x88;
    static final int WRITE_16 = 0x8A;
    static final int SYNCHRONIZE_CACHE_16 = 0x91;
    /** SERVICE ACTION IN (16); service action 10h is READ CAPACITY (16). */
    static final int SERVICE_ACTION_IN_16 = 0x9E;
    static final int REPORT_LUNS = 0xA0;
    static final int READ_12 = 0xA8;
    static final int WRITE_12 = 0xAA;

    /** Service action of READ CAPACITY (16) within SERVICE ACTION IN (16). */
    static final int SA_READ_CAPACITY_16 = 0x10;

    private static final byte[] CDB_LENGTH = new byte[256];

    static {
        for (int op : new int[] {TEST_UNIT_READY, REQUEST_SENSE, READ_6, WRITE_6, INQUIRY, MODE_SENSE_6,
                READ_CAPACITY_10, READ_10, WRITE_10, SYNCHRONIZE_CACHE_10, MODE_SENSE_10, READ_16, WRITE_16,
                SYNCHRONIZE_CACHE_16, SERVICE_ACTION_IN_16, REPORT_LUNS, READ_12, WRITE_12}) {
            CDB_LENGTH[op] = (byte) groupLength(op);
        }
    }

    private Opcode() {
    }

    /** The CDB length of an implemented operation code, or 0 when the code is not implemented. */
    static int cdbLength(int opcode) {
        return CDB_LENGTH[opcode];
    }

    /** SPC-5 §4.2.5.1: the group code (top three bits) fixes the CDB length. */
    private static int groupLength(int opcode) {
        return switch (opcode >>> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> throw new IllegalArgumentException("no fixed CDB length for opcode " + opcode);
        };
    }
}
