package io.iscsi4j;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.SharedState;

import java.time.Duration;
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
 * @param serial the unit serial number (VPD 80h) from which the NAA identifier (VPD 83h) is derived: the
 *        application's, else the backstore's identity, else random (see {@link LunBuilder#serial})
 * @param physicalBlockSize the physical block size in bytes reported to initiators (READ CAPACITY (16), VPD B0h): the
 *        backstore's block size, or a larger power of two up to 1 MiB
 * @param backstoreTimeout how long one backstore call may take before its command ends NOT READY and the LUN stays
 *        NOT READY until the call completes ({@link LunBuilder#backstoreTimeout}); {@link Duration#ZERO} for none
 * @param sharedState what this gateway shares with the other gateways serving the same storage
 *        ({@link LunBuilder#sharedState}), or {@code null} when the LUN is served here alone
 * @param peerTimeout how long another gateway has to answer before it is fenced ({@link LunBuilder#sharedState})
 * @param attributes identity strings, rotation rate, transfer and unmap limits, optional commands turned off
 *        ({@link LunBuilder#vendor} and the methods after it)
 * @since 0.1
 */
public record LunConfig(int lun, Backstore backstore, boolean readOnly, boolean writeBack, String serial,
                        int physicalBlockSize, Duration backstoreTimeout, SharedState sharedState,
                        Duration peerTimeout, LunAttributes attributes) {

    /** How long another gateway has to answer by default (10 s). */
    public static final Duration DEFAULT_PEER_TIMEOUT = Duration.ofSeconds(10);

    /** The largest physical block size (1 MiB). */
    static final int MAX_PHYSICAL_BLOCK_SIZE = 1 << 20;

    /**
     * Validates the fields.
     *
     * @param lun the LUN, 0 to 16383
     * @param backstore the storage
     * @param readOnly whether writes are refused
     * @param writeBack write-back ({@code true}) or write-through ({@code false})
     * @param serial the unit serial number, 1 to 64 characters
     * @param physicalBlockSize the physical block size in bytes
     * @param backstoreTimeout the backstore timeout, {@link Duration#ZERO} for none
     * @param sharedState the shared state, or {@code null}
     * @param peerTimeout how long another gateway has to answer, positive
     * @param attributes the identity strings, limits and optional commands
     * @throws IllegalArgumentException when a field is out of range; the message names it
     */
    public LunConfig {
        if (lun < 0 || lun > 16383) {
            throw new IllegalArgumentException("LUN must be 0..16383: " + lun);
        }
        Objects.requireNonNull(backstore, "backstore");
        Objects.requireNonNull(serial, "serial");
        if (serial.isEmpty() || serial.length() > 64) {
            throw new IllegalArgumentException("serial must be 1..64 characters");
        }
        if (physicalBlockSize != backstore.blockSize() && (physicalBlockSize < backstore.blockSize()
                || physicalBlockSize > MAX_PHYSICAL_BLOCK_SIZE || Integer.bitCount(physicalBlockSize) != 1)) {
            throw new IllegalArgumentException("physical block size must be a power of two from the block size "
                    + backstore.blockSize() + " to " + MAX_PHYSICAL_BLOCK_SIZE + ": " + physicalBlockSize);
        }
        Objects.requireNonNull(backstoreTimeout, "backstoreTimeout");
        if (backstoreTimeout.isNegative()) {
            throw new IllegalArgumentException("backstoreTimeout must be positive, or zero for none: "
                    + backstoreTimeout);
        }
        Objects.requireNonNull(peerTimeout, "peerTimeout");
        if (peerTimeout.isNegative() || peerTimeout.isZero()) {
            throw new IllegalArgumentException("peerTimeout must be positive: " + peerTimeout);
        }
        Objects.requireNonNull(attributes, "attributes");
    }

    /**
     * A LUN with the default {@link LunAttributes}.
     *
     * @param lun the LUN, 0 to 16383
     * @param backstore the storage
     * @param readOnly whether writes are refused
     * @param writeBack write-back ({@code true}) or write-through ({@code false})
     * @param serial the unit serial number, 1 to 64 characters
     * @param physicalBlockSize the physical block size in bytes
     * @param backstoreTimeout the backstore timeout, {@link Duration#ZERO} for none
     * @param sharedState the shared state, or {@code null}
     * @param peerTimeout how long another gateway has to answer, positive
     * @since 0.2
     */
    public LunConfig(int lun, Backstore backstore, boolean readOnly, boolean writeBack, String serial,
                     int physicalBlockSize, Duration backstoreTimeout, SharedState sharedState,
                     Duration peerTimeout) {
        this(lun, backstore, readOnly, writeBack, serial, physicalBlockSize, backstoreTimeout, sharedState,
                peerTimeout, LunAttributes.DEFAULTS);
    }

    /**
     * A LUN served by this gateway alone.
     *
     * @param lun the LUN, 0 to 16383
     * @param backstore the storage
     * @param readOnly whether writes are refused
     * @param writeBack write-back ({@code true}) or write-through ({@code false})
     * @param serial the unit serial number, 1 to 64 characters
     * @param physicalBlockSize the physical block size in bytes
     * @param backstoreTimeout the backstore timeout, {@link Duration#ZERO} for none
     * @since 0.1
     */
    public LunConfig(int lun, Backstore backstore, boolean readOnly, boolean writeBack, String serial,
                     int physicalBlockSize, Duration backstoreTimeout) {
        this(lun, backstore, readOnly, writeBack, serial, physicalBlockSize, backstoreTimeout, null,
                DEFAULT_PEER_TIMEOUT);
    }

    /**
     * A LUN without a backstore timeout.
     *
     * @param lun the LUN, 0 to 16383
     * @param backstore the storage
     * @param readOnly whether writes are refused
     * @param writeBack write-back ({@code true}) or write-through ({@code false})
     * @param serial the unit serial number, 1 to 64 characters
     * @param physicalBlockSize the physical block size in bytes
     */
    public LunConfig(int lun, Backstore backstore, boolean readOnly, boolean writeBack, String serial,
                     int physicalBlockSize) {
        this(lun, backstore, readOnly, writeBack, serial, physicalBlockSize, Duration.ZERO);
    }

    /**
     * A LUN whose physical block size is the backstore's block size.
     *
     * @param lun the LUN, 0 to 16383
     * @param backstore the storage
     * @param readOnly whether writes are refused
     * @param writeBack whether a volatile write cache is reported
     * @param serial the unit serial number
     */
    public LunConfig(int lun, Backstore backstore, boolean readOnly, boolean writeBack, String serial) {
        this(lun, backstore, readOnly, writeBack, serial, Objects.requireNonNull(backstore, "backstore").blockSize());
    }
}
