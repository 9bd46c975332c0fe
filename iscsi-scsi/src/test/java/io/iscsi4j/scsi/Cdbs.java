package io.iscsi4j.scsi;

/** CDB builders for tests; field offsets per SPC-5 / SBC-4. */
final class Cdbs {

    private Cdbs() {
    }

    static byte[] testUnitReady() {
        return new byte[6];
    }

    static byte[] inquiry(boolean evpd, int page, int allocationLength) {
        byte[] c = new byte[6];
        c[0] = 0x12;
        c[1] = (byte) (evpd ? 1 : 0);
        c[2] = (byte) page;
        c[3] = (byte) (allocationLength >>> 8);
        c[4] = (byte) allocationLength;
        return c;
    }

    static byte[] requestSense(boolean descriptor, int allocationLength) {
        byte[] c = new byte[6];
        c[0] = 0x03;
        c[1] = (byte) (descriptor ? 1 : 0);
        c[4] = (byte) allocationLength;
        return c;
    }

    static byte[] reportLuns(int select, long allocationLength) {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA0;
        c[2] = (byte) select;
        putU32(c, 6, allocationLength);
        return c;
    }

    static byte[] readCapacity10() {
        byte[] c = new byte[10];
        c[0] = 0x25;
        return c;
    }

    static byte[] readCapacity16(long allocationLength) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9E;
        c[1] = 0x10;
        putU32(c, 10, allocationLength);
        return c;
    }

    /** READ or WRITE of any size: opcode 08h/0Ah, 28h/2Ah, A8h/AAh, 88h/8Ah; {@code flags} is byte 1. */
    static byte[] readWrite(int opcode, long lba, long blocks, int flags) {
        byte[] c;
        switch (opcode) {
            case 0x08, 0x0A -> {
                c = new byte[6];
                c[1] = (byte) ((lba >>> 16) & 0x1F);
                c[2] = (byte) (lba >>> 8);
                c[3] = (byte) lba;
                c[4] = (byte) blocks;
            }
            case 0x28, 0x2A -> {
                c = new byte[10];
                c[1] = (byte) flags;
                putU32(c, 2, lba);
                c[7] = (byte) (blocks >>> 8);
                c[8] = (byte) blocks;
            }
            case 0xA8, 0xAA -> {
                c = new byte[12];
                c[1] = (byte) flags;
                putU32(c, 2, lba);
                putU32(c, 6, blocks);
            }
            case 0x88, 0x8A -> {
                c = new byte[16];
                c[1] = (byte) flags;
                putU32(c, 2, lba >>> 32);
                putU32(c, 6, lba);
                putU32(c, 10, blocks);
            }
            default -> throw new IllegalArgumentException("not a READ or WRITE: " + opcode);
        }
        c[0] = (byte) opcode;
        return c;
    }

    /**
     * A 10-, 12- or 16-byte block command with the common layout (SBC-4): {@code flags} in byte 1, the LBA in bytes
     * 2-5 (2-9 for 16 bytes), the length in bytes 7-8 (10), 6-9 (12) or 10-13 (16).
     */
    static byte[] block(int opcode, int cdbLength, long lba, long blocks, int flags) {
        byte[] c = new byte[cdbLength];
        c[0] = (byte) opcode;
        c[1] = (byte) flags;
        switch (cdbLength) {
            case 10 -> {
                putU32(c, 2, lba);
                c[7] = (byte) (blocks >>> 8);
                c[8] = (byte) blocks;
            }
            case 12 -> {
                putU32(c, 2, lba);
                putU32(c, 6, blocks);
            }
            case 16 -> {
                putU32(c, 2, lba >>> 32);
                putU32(c, 6, lba);
                putU32(c, 10, blocks);
            }
            default -> throw new IllegalArgumentException("CDB length " + cdbLength);
        }
        return c;
    }

    static byte[] read10(long lba, int blocks) {
        return readWrite(0x28, lba, blocks, 0);
    }

    static byte[] write10(long lba, int blocks) {
        return readWrite(0x2A, lba, blocks, 0);
    }

    static byte[] modeSense6(boolean dbd, int pageControl, int page, int subpage, int allocationLength) {
        byte[] c = new byte[6];
        c[0] = 0x1A;
        c[1] = (byte) (dbd ? 0x08 : 0);
        c[2] = (byte) ((pageControl << 6) | page);
        c[3] = (byte) subpage;
        c[4] = (byte) allocationLength;
        return c;
    }

    static byte[] modeSense10(boolean llbaa, boolean dbd, int pageControl, int page, int subpage,
                              int allocationLength) {
        byte[] c = new byte[10];
        c[0] = 0x5A;
        c[1] = (byte) ((llbaa ? 0x10 : 0) | (dbd ? 0x08 : 0));
        c[2] = (byte) ((pageControl << 6) | page);
        c[3] = (byte) subpage;
        c[7] = (byte) (allocationLength >>> 8);
        c[8] = (byte) allocationLength;
        return c;
    }

    static byte[] synchronizeCache10(long lba, int blocks, boolean immediate) {
        byte[] c = new byte[10];
        c[0] = 0x35;
        c[1] = (byte) (immediate ? 0x02 : 0);
        putU32(c, 2, lba);
        c[7] = (byte) (blocks >>> 8);
        c[8] = (byte) blocks;
        return c;
    }

    static byte[] synchronizeCache16(long lba, long blocks, boolean immediate) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x91;
        c[1] = (byte) (immediate ? 0x02 : 0);
        putU32(c, 2, lba >>> 32);
        putU32(c, 6, lba);
        putU32(c, 10, blocks);
        return c;
    }

    /** REPORT TARGET PORT GROUPS (A3h/0Ah) with PARAMETER DATA FORMAT {@code format} (0 to 7). */
    static byte[] reportTargetPortGroups(int format, long allocationLength) {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA3;
        c[1] = (byte) ((format << 5) | 0x0A);
        putU32(c, 6, allocationLength);
        return c;
    }

    /** RESERVE (6) (16h) or RESERVE (10) (56h). */
    static byte[] reserve(boolean ten) {
        byte[] c = new byte[ten ? 10 : 6];
        c[0] = (byte) (ten ? 0x56 : 0x16);
        return c;
    }

    /** RELEASE (6) (17h) or RELEASE (10) (57h). */
    static byte[] release(boolean ten) {
        byte[] c = new byte[ten ? 10 : 6];
        c[0] = (byte) (ten ? 0x57 : 0x17);
        return c;
    }

    /** PERSISTENT RESERVE IN with service action {@code sa}. */
    static byte[] persistentReserveIn(int sa, int allocationLength) {
        byte[] c = new byte[10];
        c[0] = 0x5E;
        c[1] = (byte) sa;
        c[7] = (byte) (allocationLength >>> 8);
        c[8] = (byte) allocationLength;
        return c;
    }

    /** PERSISTENT RESERVE OUT with service action {@code sa}, SCOPE 0, {@code type} and the parameter list length. */
    static byte[] persistentReserveOut(int sa, int type, long parameterListLength) {
        byte[] c = new byte[10];
        c[0] = 0x5F;
        c[1] = (byte) sa;
        c[2] = (byte) type;
        putU32(c, 5, parameterListLength);
        return c;
    }

    /**
     * The basic PERSISTENT RESERVE OUT parameter list: RESERVATION KEY, SERVICE ACTION RESERVATION KEY and byte 20
     * (SPEC_I_PT 08h, ALL_TG_PT 04h, APTPL 01h).
     */
    static byte[] proutParameters(long key, long serviceActionKey, int flags) {
        byte[] p = new byte[24];
        putU64(p, 0, key);
        putU64(p, 8, serviceActionKey);
        p[20] = (byte) flags;
        return p;
    }

    static void putU64(byte[] b, int off, long v) {
        putU32(b, off, v >>> 32);
        putU32(b, off + 4, v);
    }

    static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    static long u64(byte[] b, int off) {
        return (u32(b, off) << 32) | u32(b, off + 4);
    }
}
