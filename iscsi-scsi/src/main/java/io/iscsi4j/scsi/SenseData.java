package io.iscsi4j.scsi;

import java.util.Arrays;
import java.util.Objects;

/**
 * Sense data for a CHECK CONDITION: sense key, additional sense code and qualifier, and optional fields
 * (INFORMATION, sense-key specific). Immutable. Encoded in fixed format (SPC-5 §4.4.3) or descriptor format
 * (§4.4.2), each for a current error (response code 70h or 72h) or a deferred error (71h or 73h: the failure of an
 * operation whose command already ended with GOOD status).
 *
 * @since 0.1
 */
public final class SenseData {

    private final SenseKey key;
    private final AdditionalSense additionalSense;
    private final long information;
    private final boolean informationValid;
    private final int senseKeySpecific;
    private final boolean descriptorFormat;
    private final boolean deferred;

    private SenseData(SenseKey key, AdditionalSense additionalSense, long information, boolean informationValid,
                      int senseKeySpecific, boolean descriptorFormat, boolean deferred) {
        this.key = Objects.requireNonNull(key, "key");
        this.additionalSense = Objects.requireNonNull(additionalSense, "additionalSense");
        this.information = information;
        this.informationValid = informationValid;
        this.senseKeySpecific = senseKeySpecific;
        this.descriptorFormat = descriptorFormat;
        this.deferred = deferred;
    }

    /**
     * Current-error sense data in fixed format without optional fields.
     *
     * @param key the sense key
     * @param additionalSense the ASC/ASCQ pair
     * @return the sense data
     */
    public static SenseData of(SenseKey key, AdditionalSense additionalSense) {
        return new SenseData(key, additionalSense, 0, false, -1, false, false);
    }

    /**
     * A copy with the INFORMATION field set (for example the failing LBA) and marked valid.
     *
     * @param value the INFORMATION field
     * @return new sense data
     */
    public SenseData withInformation(long value) {
        return new SenseData(key, additionalSense, value, true, senseKeySpecific, descriptorFormat, deferred);
    }

    /**
     * A copy with a sense-key specific field (SKSV set), for example the field pointer of an INVALID FIELD IN CDB:
     * the 3 bytes SPC-5 §4.4.2.4 defines, as an int {@code 0x00XXYYZZ} without the SKSV bit.
     *
     * @param value the 23 bits following SKSV
     * @return new sense data
     */
    public SenseData withSenseKeySpecific(int value) {
        return new SenseData(key, additionalSense, information, informationValid, value & 0x7FFFFF,
                descriptorFormat, deferred);
    }

    /**
     * A copy encoded in descriptor format (when the control mode page's D_SENSE bit is set) or fixed format.
     *
     * @param descriptor {@code true} for descriptor format
     * @return new sense data
     */
    public SenseData withDescriptorFormat(boolean descriptor) {
        return new SenseData(key, additionalSense, information, informationValid, senseKeySpecific, descriptor,
                deferred);
    }

    /**
     * A copy reporting a deferred error (response code 71h in fixed format, 73h in descriptor format) or a current
     * error (70h, 72h). A deferred error is the failure of an operation whose command already ended with GOOD status,
     * such as a SYNCHRONIZE CACHE with IMMED set whose flush then failed.
     *
     * @param deferredError {@code true} for a deferred error
     * @return new sense data
     * @since 0.1
     */
    public SenseData withDeferred(boolean deferredError) {
        return new SenseData(key, additionalSense, information, informationValid, senseKeySpecific, descriptorFormat,
                deferredError);
    }

    /**
     * A field-pointer sense-key specific value for INVALID FIELD IN CDB / PARAMETER LIST (SPC-5 §4.4.2.4.2).
     *
     * @param inCdb {@code true} when the field is in the CDB, {@code false} when in parameter data
     * @param byteOffset the byte of the field
     * @param bit the highest bit of the field, or -1 when not given
     * @return new sense data
     */
    public SenseData withFieldPointer(boolean inCdb, int byteOffset, int bit) {
        int v = (inCdb ? 0x400000 : 0) | (bit >= 0 ? 0x080000 | ((bit & 7) << 16) : 0) | (byteOffset & 0xFFFF);
        return withSenseKeySpecific(v);
    }

    /** {@return the sense key} */
    public SenseKey key() {
        return key;
    }

    /** {@return the additional sense code and qualifier} */
    public AdditionalSense additionalSense() {
        return additionalSense;
    }

    /** {@return the INFORMATION field, meaningful when {@link #informationValid()}} */
    public long information() {
        return information;
    }

    /** {@return whether the INFORMATION field is set} */
    public boolean informationValid() {
        return informationValid;
    }

    /** {@return whether this is descriptor-format sense data} */
    public boolean descriptorFormat() {
        return descriptorFormat;
    }

    /**
     * Whether this reports a deferred error (response code 71h or 73h) rather than a current one (70h or 72h).
     *
     * @return whether this is a deferred error
     * @since 0.1
     */
    public boolean deferred() {
        return deferred;
    }

    /** {@return the encoded sense data: 18 bytes in fixed format, 8 plus the descriptors in descriptor format} */
    public byte[] toBytes() {
        if (descriptorFormat) {
            int len = 8 + (informationValid ? 12 : 0) + (senseKeySpecific >= 0 ? 8 : 0);
            byte[] b = new byte[len];
            b[0] = (byte) (deferred ? 0x73 : 0x72);
            b[1] = (byte) key.code();
            b[2] = (byte) additionalSense.asc();
            b[3] = (byte) additionalSense.ascq();
            b[7] = (byte) (len - 8);
            int p = 8;
            if (informationValid) {
                b[p] = 0x00;         // information descriptor
                b[p + 1] = 0x0A;
                b[p + 2] = (byte) 0x80; // VALID
                putLong(b, p + 4, information);
                p += 12;
            }
            if (senseKeySpecific >= 0) {
                b[p] = 0x02;         // sense key specific descriptor
                b[p + 1] = 0x06;
                b[p + 4] = (byte) (0x80 | (senseKeySpecific >>> 16));
                b[p + 5] = (byte) (senseKeySpecific >>> 8);
                b[p + 6] = (byte) senseKeySpecific;
            }
            return b;
        }
        byte[] b = new byte[18];
        b[0] = (byte) ((informationValid && information >>> 32 == 0 ? 0x80 : 0) | (deferred ? 0x71 : 0x70));
        b[2] = (byte) key.code();
        if (informationValid) {
            b[3] = (byte) (information >>> 24);
            b[4] = (byte) (information >>> 16);
            b[5] = (byte) (information >>> 8);
            b[6] = (byte) information;
        }
        b[7] = 10; // additional sense length
        b[12] = (byte) additionalSense.asc();
        b[13] = (byte) additionalSense.ascq();
        if (senseKeySpecific >= 0) {
            b[15] = (byte) (0x80 | (senseKeySpecific >>> 16));
            b[16] = (byte) (senseKeySpecific >>> 8);
            b[17] = (byte) senseKeySpecific;
        }
        return b;
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SenseData s && Arrays.equals(toBytes(), s.toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    /**
     * Symbolic form, for example {@code ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB}, or
     * {@code MEDIUM_ERROR / WRITE_ERROR info=7 (deferred)}.
     */
    @Override
    public String toString() {
        return key + " / " + additionalSense + (informationValid ? " info=" + information : "")
                + (deferred ? " (deferred)" : "");
    }
}
