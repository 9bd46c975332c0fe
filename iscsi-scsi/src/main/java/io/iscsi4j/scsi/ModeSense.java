package io.iscsi4j.scsi;

import java.nio.ByteBuffer;

/**
 * MODE SENSE (6) and (10) (SPC-5 §6.13, §6.14) with the caching (08h, SBC-4 §6.5.5) and control (0Ah, SPC-5
 * §7.5.8) mode pages. Changeable: WCE in the caching page of a write-back logical unit (a write-through one stays
 * write-through), D_SENSE and SWP in the control page (see {@link ModeSelect}); default values are the logical unit's
 * configuration; nothing can be saved.
 */
final class ModeSense {

    static final int PAGE_CACHING = 0x08;
    static final int PAGE_CONTROL = 0x0A;
    static final int PAGE_ALL = 0x3F;

    static final int PC_CURRENT = 0;
    static final int PC_CHANGEABLE = 1;
    static final int PC_DEFAULT = 2;
    static final int PC_SAVED = 3;

    static final int CACHING_LENGTH = 20;
    static final int CONTROL_LENGTH = 12;

    private ModeSense() {
    }

    /**
     * Executes MODE SENSE.
     *
     * @param ten {@code true} for MODE SENSE (10), {@code false} for MODE SENSE (6)
     * @param writeProtected the WP bit: the logical unit is write-protected, or served read-only to this initiator
     */
    static void execute(ScsiTask task, LogicalUnit lu, boolean ten, boolean writeProtected) {
        ByteBuffer cdb = task.cdb();
        boolean dbd = Cdb.bit(cdb, 1, 3);
        boolean longLba = ten && Cdb.bit(cdb, 1, 4); // LLBAA
        int pageControl = Cdb.u8(cdb, 2) >>> 6;
        int pageCode = Cdb.u8(cdb, 2) & 0x3F;
        int subpage = Cdb.u8(cdb, 3);
        int allocationLength = ten ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);

        if (pageControl == PC_SAVED) {
            Sense.fail(task, SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.SAVING_PARAMETERS_NOT_SUPPORTED)
                    .withFieldPointer(true, 2, 7));
            return;
        }
        boolean caching;
        boolean control;
        switch (pageCode) {
            case PAGE_ALL -> {
                if (subpage != 0x00 && subpage != 0xFF) { // 00h: pages only; FFh: pages and subpages (none here)
                    Sense.fail(task, Sense.invalidField(3, -1));
                    return;
                }
                caching = true;
                control = true;
            }
            case PAGE_CACHING, PAGE_CONTROL -> {
                if (subpage != 0x00) {
                    Sense.fail(task, Sense.invalidField(3, -1));
                    return;
                }
                caching = pageCode == PAGE_CACHING;
                control = !caching;
            }
            default -> {
                Sense.fail(task, Sense.invalidField(2, 5));
                return;
            }
        }

        int headerLength = ten ? 8 : 4;
        int descriptorLength = dbd ? 0 : longLba ? 16 : 8;
        int length = headerLength + descriptorLength + (caching ? CACHING_LENGTH : 0)
                + (control ? CONTROL_LENGTH : 0);
        byte[] d = new byte[length];
        // Mode parameter header; MEDIUM TYPE 0; DEVICE-SPECIFIC PARAMETER: WP (bit 7), DPOFUA (bit 4).
        int deviceSpecific = (writeProtected ? 0x80 : 0) | 0x10;
        if (ten) {
            Bytes.putU16(d, 0, length - 2);   // MODE DATA LENGTH
            d[3] = (byte) deviceSpecific;
            d[4] = (byte) (longLba && !dbd ? 0x01 : 0); // LONGLBA
            Bytes.putU16(d, 6, descriptorLength);
        } else {
            d[0] = (byte) (length - 1);       // MODE DATA LENGTH
            d[2] = (byte) deviceSpecific;
            d[3] = (byte) descriptorLength;
        }
        int p = headerLength;
        long blocks = lu.blockCount();
        if (descriptorLength == 8) {
            // Short LBA mode parameter block descriptor (SBC-4 §6.5.2.2).
            Bytes.putU32(d, p, Math.min(blocks, 0xFFFF_FFFFL));
            Bytes.putU32(d, p + 4, lu.blockSize()); // byte 4 reserved, bytes 5 to 7 LOGICAL BLOCK LENGTH
        } else if (descriptorLength == 16) {
            // Long LBA mode parameter block descriptor (SBC-4 §6.5.2.3).
            Bytes.putU64(d, p, blocks);
            Bytes.putU32(d, p + 12, lu.blockSize());
        }
        p += descriptorLength;
        if (caching) {
            byte[] page = cachingPage(lu, pageControl);
            System.arraycopy(page, 0, d, p, page.length);
            p += CACHING_LENGTH;
        }
        if (control) {
            byte[] page = controlPage(lu, pageControl);
            System.arraycopy(page, 0, d, p, page.length);
        }
        Responses.data(task, d, allocationLength);
    }

    /**
     * The caching mode page (SBC-4 §6.5.5), 20 bytes: WCE (byte 2 bit 2) from the logical unit (current) or its
     * configuration (default); RCD 0 (read cache enabled); everything else 0. WCE is changeable only when the logical
     * unit was configured write-back ({@link LogicalUnit#defaultWriteBack()}): an initiator may then turn the write
     * cache off and on again, but may not enable a write cache on a logical unit configured write-through, whose
     * every write must be durable before GOOD status.
     */
    static byte[] cachingPage(LogicalUnit lu, int pageControl) {
        byte[] b = new byte[CACHING_LENGTH];
        b[0] = PAGE_CACHING;              // PS 0, SPF 0
        b[1] = CACHING_LENGTH - 2;
        boolean wce = switch (pageControl) {
            case PC_CHANGEABLE -> lu.defaultWriteBack();
            case PC_DEFAULT -> lu.defaultWriteBack();
            default -> lu.isWriteBack();
        };
        if (wce) {
            b[2] = 0x04;
        }
        return b;
    }

    /**
     * The control mode page (SPC-5 §7.5.8), 12 bytes. Current and default: TST 000b, TMF_ONLY 0, DPICZ 0, D_SENSE
     * (byte 2 bit 2) from the logical unit (default 0), GLTSD 1, RLEC 0; QUEUE ALGORITHM MODIFIER 1 (unrestricted
     * reordering), QERR 00b; SWP (byte 4 bit 3) from the logical unit (default 0); ATO, TAS 0; BUSY TIMEOUT PERIOD
     * FFFFh (unlimited). Changeable: D_SENSE and SWP.
     */
    static byte[] controlPage(LogicalUnit lu, int pageControl) {
        byte[] b = new byte[CONTROL_LENGTH];
        b[0] = PAGE_CONTROL;
        b[1] = CONTROL_LENGTH - 2;
        if (pageControl == PC_CHANGEABLE) {
            b[2] = 0x04;                  // D_SENSE
            b[4] = 0x08;                  // SWP
            return b;
        }
        boolean current = pageControl != PC_DEFAULT;
        b[2] = (byte) (0x02 | (current && lu.descriptorSense() ? 0x04 : 0));
        b[3] = 0x10;
        b[4] = (byte) (current && lu.softwareWriteProtect() ? 0x08 : 0);
        Bytes.putU16(b, 8, 0xFFFF);
        return b;
    }
}
