package io.iscsi4j;

/**
 * Options of one LUN, set in {@link TargetBuilder#lun(int, io.iscsi4j.backstore.Backstore,
 * java.util.function.Consumer)}. Not thread-safe; used only while building.
 *
 * @since 0.1
 */
public final class LunBuilder {

    private Boolean readOnly;
    private Boolean writeBack;
    private String serial;

    LunBuilder() {
    }

    /**
     * Refuses writes (DATA PROTECT / WRITE PROTECTED) even when the backstore accepts them. Default: the
     * backstore's {@link io.iscsi4j.backstore.Backstore#isReadOnly()}.
     *
     * @param value whether the LUN is read-only
     * @return this
     */
    public LunBuilder readOnly(boolean value) {
        this.readOnly = value;
        return this;
    }

    /**
     * Write-back (a volatile cache is reported and flushed by SYNCHRONIZE CACHE / FUA) or write-through (every
     * write is made durable before GOOD status). Default: the backstore's
     * {@link io.iscsi4j.backstore.Backstore#hasVolatileCache()}.
     *
     * @param value {@code true} for write-back
     * @return this
     */
    public LunBuilder writeBack(boolean value) {
        this.writeBack = value;
        return this;
    }

    /**
     * The unit serial number (VPD page 80h); the NAA device identifier is derived from it. Default: derived from
     * the target name and LUN, so it is stable across restarts with the same configuration.
     *
     * @param value 1 to 64 printable ASCII characters
     * @return this
     */
    public LunBuilder serial(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException("serial must be printable ASCII");
            }
        }
        this.serial = value;
        return this;
    }

    LunConfig build(String targetName, int lun, io.iscsi4j.backstore.Backstore backstore) {
        boolean ro = readOnly != null ? readOnly : backstore.isReadOnly();
        boolean wb = writeBack != null ? writeBack : backstore.hasVolatileCache();
        String s = serial != null ? serial : defaultSerial(targetName, lun);
        return new LunConfig(lun, backstore, ro, wb, s);
    }

    /** A 24-hex-digit serial from a SHA-256 of the target name and LUN: stable, unique in practice. */
    static String defaultSerial(String targetName, int lun) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((targetName + "/" + lun).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
