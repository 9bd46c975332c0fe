package io.iscsi4j.initiator;

import java.util.Arrays;

/**
 * Decoded SCSI sense data (SPC-5 §4.4): the sense key and additional sense code and qualifier, from fixed (70h,
 * 71h) or descriptor (72h, 73h) format, with the raw bytes.
 *
 * @param senseKey the sense key, 0..15
 * @param asc the additional sense code
 * @param ascq the additional sense code qualifier
 * @param raw the sense bytes as received (a copy)
 * @since 0.1
 */
public record SenseData(int senseKey, int asc, int ascq, byte[] raw) {

    /** Sense key ILLEGAL REQUEST (5h). */
    public static final int ILLEGAL_REQUEST = 0x5;
    /** Sense key UNIT ATTENTION (6h). */
    public static final int UNIT_ATTENTION = 0x6;
    /** Sense key MEDIUM ERROR (3h). */
    public static final int MEDIUM_ERROR = 0x3;
    /** Sense key NOT READY (2h). */
    public static final int NOT_READY = 0x2;

    private static final String[] KEY_NAMES = {"NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR",
        "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK", "VENDOR SPECIFIC",
        "COPY ABORTED", "ABORTED COMMAND", "RESERVED (Ch)", "VOLUME OVERFLOW", "MISCOMPARE", "COMPLETED"};

    /**
     * Copies the raw bytes.
     *
     * @param senseKey the sense key
     * @param asc the additional sense code
     * @param ascq the qualifier
     * @param raw the sense bytes
     */
    public SenseData {
        raw = raw.clone();
    }

    /**
     * Decodes sense bytes.
     *
     * @param sense the sense data, fixed or descriptor format
     * @return the decoded sense, or {@code null} if {@code sense} is empty or of an unknown format
     */
    public static SenseData decode(byte[] sense) {
        if (sense.length < 2) {
            return null;
        }
        int code = sense[0] & 0x7F;
        if ((code == 0x70 || code == 0x71) && sense.length >= 3) {
            return new SenseData(sense[2] & 0x0F, sense.length > 12 ? sense[12] & 0xFF : 0,
                    sense.length > 13 ? sense[13] & 0xFF : 0, sense);
        }
        if ((code == 0x72 || code == 0x73) && sense.length >= 4) {
            return new SenseData(sense[1] & 0x0F, sense[2] & 0xFF, sense[3] & 0xFF, sense);
        }
        return null;
    }

    /**
     * The name of the sense key.
     *
     * @return for example {@code "ILLEGAL REQUEST"}
     */
    public String senseKeyName() {
        return KEY_NAMES[senseKey & 0x0F];
    }

    /**
     * A copy of the raw sense bytes.
     *
     * @return the bytes
     */
    @Override
    public byte[] raw() {
        return raw.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SenseData s && s.senseKey == senseKey && s.asc == asc && s.ascq == ascq
                && Arrays.equals(s.raw, raw);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * senseKey + asc) + ascq) + Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return String.format("%s (ASC 0x%02x, ASCQ 0x%02x)", senseKeyName(), asc, ascq);
    }
}
