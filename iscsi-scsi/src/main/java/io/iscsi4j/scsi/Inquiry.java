package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** INQUIRY (SPC-5 §6.7): standard inquiry data and the vital product data pages (SPC-5 §7.7, SBC-4 §6.6). */
final class Inquiry {

    /** Peripheral qualifier 000b, device type 00h: a direct-access block device is connected. */
    static final int PERIPHERAL_DISK = 0x00;
    /** Peripheral qualifier 011b, device type 1Fh: no logical unit at this LUN. */
    static final int PERIPHERAL_NONE = 0x7F;

    static final int VPD_SUPPORTED_PAGES = 0x00;
    static final int VPD_UNIT_SERIAL_NUMBER = 0x80;
    static final int VPD_DEVICE_IDENTIFICATION = 0x83;
    static final int VPD_EXTENDED_INQUIRY_DATA = 0x86;
    static final int VPD_THIRD_PARTY_COPY = 0x8F;
    static final int VPD_BLOCK_LIMITS = 0xB0;
    static final int VPD_BLOCK_DEVICE_CHARACTERISTICS = 0xB1;
    static final int VPD_LOGICAL_BLOCK_PROVISIONING = 0xB2;

    private static final byte[] SUPPORTED_PAGES = {
        (byte) VPD_SUPPORTED_PAGES, (byte) VPD_UNIT_SERIAL_NUMBER, (byte) VPD_DEVICE_IDENTIFICATION,
        (byte) VPD_EXTENDED_INQUIRY_DATA, (byte) VPD_THIRD_PARTY_COPY, (byte) VPD_BLOCK_LIMITS,
        (byte) VPD_BLOCK_DEVICE_CHARACTERISTICS, (byte) VPD_LOGICAL_BLOCK_PROVISIONING,
    };
    /** The supported pages of a logical unit configured without EXTENDED COPY: no third-party copy page. */
    private static final byte[] SUPPORTED_PAGES_WITHOUT_COPY = {
        (byte) VPD_SUPPORTED_PAGES, (byte) VPD_UNIT_SERIAL_NUMBER, (byte) VPD_DEVICE_IDENTIFICATION,
        (byte) VPD_EXTENDED_INQUIRY_DATA, (byte) VPD_BLOCK_LIMITS,
        (byte) VPD_BLOCK_DEVICE_CHARACTERISTICS, (byte) VPD_LOGICAL_BLOCK_PROVISIONING,
    };
    private static final byte[] SUPPORTED_PAGES_NO_LU = {(byte) VPD_SUPPORTED_PAGES};

    /** Standard inquiry data length: through the version descriptors (bytes 58 to 73). */
    static final int STANDARD_LENGTH = 74;
    /** VERSION 06h: the device claims SPC-4. */
    static final int VERSION_SPC4 = 0x06;
    /** Version descriptors (SPC-5 Table 61): SAM-5, SPC-4, SBC-3, each "no version claimed". */
    private static final int[] VERSION_DESCRIPTORS = {0x00A0, 0x0460, 0x04C0};

    private Inquiry() {
    }

    /**
     * Executes INQUIRY.
     *
     * @param lu the addressed logical unit, or {@code null} when there is none at the LUN
     */
    static void execute(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        if (Cdb.bit(cdb, 1, 1)) { // CMDDT (obsolete)
            Sense.fail(task, Sense.invalidField(1, 1));
            return;
        }
        boolean evpd = Cdb.bit(cdb, 1, 0);
        int page = Cdb.u8(cdb, 2);
        int allocationLength = Cdb.u16(cdb, 3);
        byte[] data;
        if (!evpd) {
            if (page != 0) {
                Sense.fail(task, Sense.invalidField(2, 7));
                return;
            }
            data = lu == null
                    ? standard(PERIPHERAL_NONE, LogicalUnit.DEFAULT_VENDOR, LogicalUnit.DEFAULT_PRODUCT,
                            LogicalUnit.DEFAULT_REVISION)
                    : standard(PERIPHERAL_DISK, lu.vendor(), lu.product(), lu.revision());
            if (lu != null) {
                // TPGS 01b: implicit asymmetric access (REPORT TARGET PORT GROUPS, no SET TARGET PORT GROUPS);
                // 3PC: a copy manager (EXTENDED COPY) is addressable through the unit.
                data[5] = (byte) (TPGS_IMPLICIT | (lu.supports(LunFeature.EXTENDED_COPY) ? THIRD_PARTY_COPY : 0));
            }
        } else {
            data = lu == null ? vpdWithoutLogicalUnit(page) : vpd(page, lu, task.nexus());
            if (data == null) {
                Sense.fail(task, Sense.invalidField(2, 7));
                return;
            }
        }
        Responses.data(task, data, allocationLength);
    }

    /** Standard inquiry data byte 5: 3PC (third-party copy supported). */
    static final int THIRD_PARTY_COPY = 0x08;
    /**
     * Standard inquiry data byte 5, bits 5-4: TPGS 01b, implicit asymmetric logical unit access only (SPC-5 §6.7.2):
     * every logical unit reports it, a gateway serving alone as much as one of several (LIO does the same).
     */
    static final int TPGS_IMPLICIT = 0x10;

    /** Standard inquiry data (SPC-5 §6.7.2). */
    static byte[] standard(int peripheral, String vendor, String product, String revision) {
        byte[] d = new byte[STANDARD_LENGTH];
        d[0] = (byte) peripheral;
        d[1] = 0;                           // RMB 0, LU_CONG 0
        d[2] = (byte) VERSION_SPC4;
        d[3] = 0x12;                        // NORMACA 0, HISUP 1, RESPONSE DATA FORMAT 2
        d[4] = (byte) (STANDARD_LENGTH - 5); // ADDITIONAL LENGTH
        d[5] = 0;                           // SCCS, ACC, TPGS, 3PC, PROTECT 0 (execute() sets TPGS and 3PC)
        d[6] = 0;                           // ENCSERV 0, MULTIP 0
        d[7] = 0x02;                        // CMDQUE 1
        Bytes.putAscii(d, 8, 8, vendor);
        Bytes.putAscii(d, 16, 16, product);
        Bytes.putAscii(d, 32, 4, revision);
        for (int i = 0; i < VERSION_DESCRIPTORS.length; i++) {
            Bytes.putU16(d, 58 + 2 * i, VERSION_DESCRIPTORS[i]);
        }
        return d;
    }

    /** A VPD page of a logical unit, or {@code null} when the page is not supported. */
    static byte[] vpd(int page, LogicalUnit lu, ItNexus nexus) {
        return switch (page) {
            case VPD_SUPPORTED_PAGES -> page(PERIPHERAL_DISK, page,
                    lu.supports(LunFeature.EXTENDED_COPY) ? SUPPORTED_PAGES : SUPPORTED_PAGES_WITHOUT_COPY);
            case VPD_UNIT_SERIAL_NUMBER ->
                    page(PERIPHERAL_DISK, page, lu.serial().getBytes(StandardCharsets.US_ASCII));
            case VPD_DEVICE_IDENTIFICATION -> page(PERIPHERAL_DISK, page, deviceIdentification(lu, nexus));
            case VPD_EXTENDED_INQUIRY_DATA -> page(PERIPHERAL_DISK, page, extendedInquiryData(lu));
            case VPD_THIRD_PARTY_COPY ->
                    lu.supports(LunFeature.EXTENDED_COPY) ? page(PERIPHERAL_DISK, page, thirdPartyCopy()) : null;
            case VPD_BLOCK_LIMITS -> page(PERIPHERAL_DISK, page, blockLimits(lu));
            case VPD_BLOCK_DEVICE_CHARACTERISTICS -> page(PERIPHERAL_DISK, page, blockDeviceCharacteristics(lu));
            case VPD_LOGICAL_BLOCK_PROVISIONING -> page(PERIPHERAL_DISK, page, logicalBlockProvisioning(lu));
            default -> null;
        };
    }

    /** With no logical unit at the LUN only the supported pages page exists, listing itself. */
    static byte[] vpdWithoutLogicalUnit(int page) {
        return page == VPD_SUPPORTED_PAGES ? page(PERIPHERAL_NONE, page, SUPPORTED_PAGES_NO_LU) : null;
    }

    /** A VPD page: 4-byte header (peripheral, page code, 16-bit page length) and the page body. */
    private static byte[] page(int peripheral, int pageCode, byte[] body) {
        byte[] d = new byte[4 + body.length];
        d[0] = (byte) peripheral;
        d[1] = (byte) pageCode;
        Bytes.putU16(d, 2, body.length);
        System.arraycopy(body, 0, d, 4, body.length);
        return d;
    }

    /**
     * Device identification designators (SPC-5 §7.7.6): NAA 6 and T10 vendor ID for the logical unit; relative
     * target port, target port group and SCSI name string for the target port of the I_T nexus.
     */
    private static byte[] deviceIdentification(LogicalUnit lu, ItNexus nexus) {
        byte[] naa = lu.naaDesignator();
        byte[] serial = lu.serial().getBytes(StandardCharsets.US_ASCII);
        byte[] portName = nexus == null || nexus.targetPortName() == null
                ? null : nexus.targetPortName().getBytes(StandardCharsets.UTF_8);
        // SCSI name string: null-terminated, padded with nulls to a multiple of 4, at most 256 bytes (§7.7.6.11).
        int nameLength = portName == null ? 0 : (portName.length + 4) & ~3;
        if (nameLength > 256) {
            nameLength = 0;
        }
        int t10Length = 8 + serial.length;
        int size = (4 + naa.length) + (4 + t10Length)
                + (nexus == null ? 0 : 2 * (4 + 4))
                + (nameLength == 0 ? 0 : 4 + nameLength);
        byte[] d = new byte[size];
        int p = 0;
        // NAA: code set 1 (binary), association 00b (logical unit), designator type 3.
        p = designatorHeader(d, p, 0x1, 0x0, 0x3, naa.length);
        System.arraycopy(naa, 0, d, p, naa.length);
        p += naa.length;
        // T10 vendor ID: code set 2 (ASCII), association 00b, type 1; vendor (8 bytes) then the unit serial.
        p = designatorHeader(d, p, 0x2, 0x0, 0x1, t10Length);
        Bytes.putAscii(d, p, 8, lu.vendor());
        System.arraycopy(serial, 0, d, p + 8, serial.length);
        p += t10Length;
        if (nexus != null) {
            // Relative target port: code set 1, association 01b (target port), type 4 (§7.7.6.7).
            p = designatorHeader(d, p, 0x1, 0x1, 0x4, 4);
            Bytes.putU16(d, p + 2, nexus.relativeTargetPortId());
            p += 4;
            // Target port group: code set 1, association 01b, type 5 (§7.7.6.8).
            p = designatorHeader(d, p, 0x1, 0x1, 0x5, 4);
            Bytes.putU16(d, p + 2, nexus.targetPortGroup());
            p += 4;
        }
        if (nameLength != 0) {
            // SCSI name string: code set 3 (UTF-8), association 01b, type 8.
            p = designatorHeader(d, p, 0x3, 0x1, 0x8, nameLength);
            System.arraycopy(portName, 0, d, p, portName.length);
        }
        return d;
    }

    /** Writes a designation descriptor header (PIV 0, protocol identifier 0) and returns the designator offset. */
    private static int designatorHeader(byte[] d, int p, int codeSet, int association, int type, int length) {
        d[p] = (byte) codeSet;
        d[p + 1] = (byte) ((association << 4) | type);
        d[p + 3] = (byte) length;
        return p + 4;
    }

    /**
     * Extended INQUIRY Data (SPC-5 §7.7.7), page length 3Ch, as the logical unit behaves: HEADSUP, ORDSUP and SIMPSUP
     * (the HEAD OF QUEUE, ORDERED and SIMPLE task attributes are honoured, see {@link TaskOrdering}); V_SUP when the
     * logical unit was built write-back (it has a volatile cache, which MODE SELECT may turn off and on again), NV_SUP
     * 0 (no non-volatile cache). Everything else 0: no protection information (SPT, GRD_CHK, APP_CHK, REF_CHK), no
     * unit attention sense-key specific data (UASK_SUP), no grouping or command priority (GROUP_SUP, PRIOR_SUP), no
     * WRITE UNCORRECTABLE (WU_SUP), no referrals (R_SUP), no revert to defaults (RTD_SUP), no microcode download or
     * self-test; LUICLR 0, since a REPORTED LUNS DATA HAS CHANGED unit attention is cleared in each logical unit as it
     * is reported there, not in every logical unit of the I_T nexus at once; MAXIMUM SUPPORTED SENSE DATA LENGTH 0
     * (not reported).
     */
    private static byte[] extendedInquiryData(LogicalUnit lu) {
        byte[] b = new byte[0x3C];
        // byte 4: ACTIVATE MICROCODE 00b, SPT 000b, GRD_CHK 0, APP_CHK 0, REF_CHK 0.
        b[1] = 0x07;                               // byte 5: HEADSUP, ORDSUP, SIMPSUP
        b[2] = (byte) (lu.defaultWriteBack() ? 0x01 : 0); // byte 6: WU_SUP 0, CRD_SUP 0, NV_SUP 0, V_SUP
        // byte 7: P_I_I_SUP 0, LUICLR 0; byte 8: R_SUP 0, RTD_SUP 0, HSSRELEF 0; bytes 9-13: 0.
        return b;
    }

    /**
     * Third-party copy (SPC-5, Third-party Copy VPD page): what {@link ThirdPartyCopy} implements, as four
     * third-party copy descriptors, each padded to a multiple of 4 bytes. Supported Commands (0001h): EXTENDED COPY
     * (LID1) and RECEIVE COPY RESULTS with COPY STATUS (LID1) and OPERATING PARAMETERS. Parameter Data (0004h): the
     * descriptor limits, no inline data. Supported Descriptors (0008h): block device to block device segments (02h)
     * and identification CSCD descriptors (E4h). Supported CSCD Descriptor IDs (000Ch): none.
     */
    private static byte[] thirdPartyCopy() {
        byte[] b = new byte[12 + 32 + 8 + 8];
        int p = 0;
        Bytes.putU16(b, p, 0x0001);           // Supported Commands
        Bytes.putU16(b, p + 2, 8);
        b[p + 4] = 7;                         // COMMANDS SUPPORTED LIST LENGTH
        b[p + 5] = (byte) Opcode.THIRD_PARTY_COPY_OUT;
        b[p + 6] = 1;
        b[p + 7] = (byte) Opcode.SA_EXTENDED_COPY_LID1;
        b[p + 8] = (byte) Opcode.THIRD_PARTY_COPY_IN;
        b[p + 9] = 2;
        b[p + 10] = (byte) Opcode.SA_COPY_STATUS_LID1;
        b[p + 11] = (byte) Opcode.SA_OPERATING_PARAMETERS;
        p += 12;
        Bytes.putU16(b, p, 0x0004);           // Parameter Data
        Bytes.putU16(b, p + 2, 0x1C);
        Bytes.putU16(b, p + 8, ThirdPartyCopy.MAX_TARGET_DESCRIPTORS);
        Bytes.putU16(b, p + 10, ThirdPartyCopy.MAX_SEGMENT_DESCRIPTORS);
        Bytes.putU32(b, p + 12, ThirdPartyCopy.MAX_DESCRIPTOR_LIST_LENGTH);
        // bytes 16-19 MAXIMUM INLINE DATA LENGTH 0
        p += 32;
        Bytes.putU16(b, p, 0x0008);           // Supported Descriptors
        Bytes.putU16(b, p + 2, 4);
        b[p + 4] = 2;
        b[p + 5] = 0x02;                      // block device to block device
        b[p + 6] = (byte) 0xE4;               // identification descriptor
        p += 8;
        Bytes.putU16(b, p, 0x000C);           // Supported CSCD Descriptor IDs: none
        Bytes.putU16(b, p + 2, 4);
        return b;
    }

    /**
     * Block limits (SBC-4 §6.6.4), page length 3Ch, consistent with what the commands enforce: WSNZ 0 (WRITE SAME
     * with 0 blocks writes through the last LBA); the compare and write, transfer, unmap and write same limits; the
     * physical block as the optimal transfer length granularity and, where UNMAP is served, as the optimal unmap
     * granularity, aligned at LBA 0 (UGAVALID 1, UNMAP GRANULARITY ALIGNMENT 0, as READ CAPACITY (16) reports the
     * LOWEST ALIGNED LOGICAL BLOCK ADDRESS); the atomic write limits where WRITE ATOMIC (16) is served (no alignment
     * or granularity constraint, no atomic boundaries).
     */
    private static byte[] blockLimits(LogicalUnit lu) {
        byte[] b = new byte[0x3C];
        // byte 0: WSNZ 0.
        b[1] = (byte) lu.maxCompareAndWriteBlocks();                             // MAXIMUM COMPARE AND WRITE LENGTH
        Bytes.putU16(b, 2, lu.logicalBlocksPerPhysicalBlock());                  // OPTIMAL TRANSFER LENGTH GRANULARITY
        Bytes.putU32(b, 4, lu.maxTransferBlocks());                               // MAXIMUM TRANSFER LENGTH
        Bytes.putU32(b, 8, lu.optimalTransferBlocks());                          // OPTIMAL TRANSFER LENGTH
        // bytes 12-15 MAXIMUM PREFETCH LENGTH 0: PRE-FETCH has nothing to fetch (no cache).
        if (lu.supportsUnmap()) {
            Bytes.putU32(b, 16, lu.maxUnmapBlocks());                           // MAXIMUM UNMAP LBA COUNT
            Bytes.putU32(b, 20, ProvisioningCommands.MAX_UNMAP_DESCRIPTORS);     // MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
            Bytes.putU32(b, 24, lu.logicalBlocksPerPhysicalBlock());             // OPTIMAL UNMAP GRANULARITY
            b[28] = (byte) 0x80;                                      // UGAVALID 1, UNMAP GRANULARITY ALIGNMENT 0
        }
        if (lu.supports(LunFeature.WRITE_SAME)) {
            Bytes.putU64(b, 32, ProvisioningCommands.maxWriteSameBlocks(lu));    // MAXIMUM WRITE SAME LENGTH
        }
        if (lu.supportsAtomicWrite()) {
            Bytes.putU32(b, 40, AtomicCommands.maxAtomicTransferBlocks(lu));     // MAXIMUM ATOMIC TRANSFER LENGTH
            // bytes 44-47 ATOMIC ALIGNMENT 0, 48-51 ATOMIC TRANSFER LENGTH GRANULARITY 0: no constraint;
            // bytes 52-59 atomic boundary fields 0: ATOMIC BOUNDARY must be 0.
        }
        return b;
    }

    /**
     * Block device characteristics (SBC-4 §6.6.2), page length 3Ch: a non-rotating medium; where SANITIZE BLOCK
     * ERASE is offered, WABEREQ 01b (a read of a block erased and not written since returns GOOD and zeros).
     */
    private static byte[] blockDeviceCharacteristics(LogicalUnit lu) {
        byte[] b = new byte[0x3C];
        Bytes.putU16(b, 0, lu.rotationRate()); // MEDIUM ROTATION RATE (1: non-rotating medium)
        if (lu.supportsUnmap()) {
            b[3] = 0x40;            // WABEREQ 01b, WACEREQ 00b, NOMINAL FORM FACTOR 0
        }
        return b;
    }

    /**
     * Logical block provisioning (SBC-4 §6.6.6), page length 4. Where the backstore can unmap: LBPU, LBPWS and
     * LBPWS10 (UNMAP and both WRITE SAMEs deallocate), LBPRZ 001b (deallocated blocks read as zeros), and PROVISIONING
     * TYPE 010b (thin) or 001b (resource provisioned, for storage that unmaps without being thin); otherwise all 0
     * (fully provisioned). ANC_SUP 0, no provisioning group descriptor.
     */
    private static byte[] logicalBlockProvisioning(LogicalUnit lu) {
        byte[] b = new byte[4];
        if (lu.supportsUnmap()) {
            // LBPU, LBPWS and LBPWS10 (when WRITE SAME is served), LBPRZ 001b
            b[1] = (byte) (lu.supports(LunFeature.WRITE_SAME) ? 0xE4 : 0x84);
            b[2] = (byte) (lu.isThinProvisioned() ? 0x02 : 0x01);
        }
        return b;
    }
}
