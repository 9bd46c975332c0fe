package io.iscsi4j;

import io.iscsi4j.backstore.Backstore;

import java.util.Objects;

/**
 * One logical unit of a target: its number, the backstore behind it and its options. Immutable; made by
 * {@link TargetBuilder#lun(int, Backstore, java.util.function.Consumer)}.
 *
 * @param lun the LUN, 0 to 16383
 * @param backstore the storage; closed by the target on {@link IscsiTarget#close()}
 * @param readOnly whether writes are refused with DATA PROTECT / WRITE PROTECTED
 * @param writeBack whether a volatile write cache is reported (WCE=1); durability then comes from SYNCHRONIZE CACHE
 *        and FUA; when {@code false} every write is durable before GOOD status
 * @param serial the unit serial number (VPD 80h) from which the NAA identifier (VPD 83h) is derived; stable
 *        across restarts
 * @since 0.1
 */
public record LunConfig(int lun, Backstore backstore, boolean readOnly, boolean writeBack, String serial) {

    /** Validates the fields. */
    public LunConfig {
        if (lun < 0 || lun > 16383) {
            throw new IllegalArgumentException("LUN must be 0..16383: " + lun);
        }
        Objects.requireNonNull(backstore, "backstore");
        Objects.requireNonNull(serial, "serial");
        if (serial.isEmpty() || serial.length() > 64) {
            throw new IllegalArgumentException("serial must be 1..64 characters");
        }
    }
}
