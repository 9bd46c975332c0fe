package io.iscsi4j.scsi;

/**
 * SAM-5 logical unit number encoding (§4.7): LUNs 0 to 255 use peripheral device addressing, 256 to 16383 flat
 * space addressing, each in the first two bytes of the 8-byte LUN field.
 *
 * @since 0.1
 */
public final class Lun {

    /** The highest LUN this target can address (flat space addressing). */
    public static final int MAX = 16383;

    private Lun() {
    }

    /**
     * Encodes a LUN into the 8-byte LUN field.
     *
     * @param lun 0 to {@link #MAX}
     * @return the field, big-endian
     */
    public static long encode(int lun) {
        if (lun < 0 || lun > MAX) {
            throw new IllegalArgumentException("LUN out of range 0.." + MAX + ": " + lun);
        }
        long first2 = lun < 256 ? lun : 0x4000 | lun;
        return first2 << 48;
    }

    /**
     * Decodes the 8-byte LUN field.
     *
     * @param field the field as received, big-endian
     * @return the LUN, or -1 when the field uses an addressing method or level this target does not support
     */
    public static int decode(long field) {
        if ((field & 0x0000_FFFF_FFFF_FFFFL) != 0) {
            return -1;
        }
        int first2 = (int) (field >>> 48);
        return switch (first2 >>> 14) {
            case 0 -> (first2 & 0x3F00) == 0 ? first2 & 0xFF : -1; // peripheral, bus 0
            case 1 -> first2 & 0x3FFF;                              // flat space
            default -> -1;
        };
    }
}
