package io.iscsi4j.core.login;

/**
 * Size limits of one login phase.
 *
 * @param maxRequestTextLength the most text, in bytes, an initiator may send across the login requests of one
 *     step joined by the C bit; more ends the login with status 0x0302 (out of resources)
 * @param maxResponseSegmentLength the largest data segment, in bytes, of one login response; longer response
 *     text is sent in parts with the C bit (RFC 7143 §6.3: 8192 while logging in)
 * @since 0.1.0
 */
public record LoginLimits(int maxRequestTextLength, int maxResponseSegmentLength) {

    /** 64 KiB of request text, 8192-byte response segments. */
    public static final LoginLimits DEFAULT = new LoginLimits(65_536, 8192);

    /**
     * Checks the limits.
     *
     * @param maxRequestTextLength at least 8192
     * @param maxResponseSegmentLength 512 to 2^24-1
     */
    public LoginLimits {
        if (maxRequestTextLength < 8192) {
            throw new IllegalArgumentException("maxRequestTextLength must be at least 8192: " + maxRequestTextLength);
        }
        if (!TextKey.MAX_RECV_DATA_SEGMENT_LENGTH.inRange(maxResponseSegmentLength)) {
            throw new IllegalArgumentException("maxResponseSegmentLength must be 512 to 16777215: "
                    + maxResponseSegmentLength);
        }
    }
}
