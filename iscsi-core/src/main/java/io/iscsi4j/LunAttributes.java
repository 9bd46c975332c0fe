package io.iscsi4j;

import io.iscsi4j.scsi.LunFeature;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a LUN tells initiators about itself beyond its storage, and the optional commands it serves: the attributes
 * Linux LIO users set in configfs ({@code vendor_id}, {@code product_id}, {@code revision}, {@code is_nonrot} and
 * the rotation rate, {@code hw_max_sectors}, {@code optimal_sectors}, {@code max_unmap_lba_count}, {@code
 * emulate_caw}, {@code emulate_3pc}, {@code emulate_tpu}, {@code emulate_tpws}). Set through {@link LunBuilder}.
 * Immutable.
 *
 * @param vendor the T10 vendor identification (1 to 8 printable ASCII characters)
 * @param product the product identification (1 to 16)
 * @param revision the product revision level (1 to 4)
 * @param rotationRate VPD B1h MEDIUM ROTATION RATE: 0 not reported, 1 non-rotating, 1025 to 65534 rpm
 * @param maxTransferBytes the most bytes one READ or WRITE moves (VPD B0h MAXIMUM TRANSFER LENGTH), 4096 to 8 MiB
 * @param optimalTransferBytes the transfer length initiators are asked to use (VPD B0h OPTIMAL TRANSFER LENGTH)
 * @param maxUnmapBlocks the most blocks one UNMAP deallocates (VPD B0h MAXIMUM UNMAP LBA COUNT), 4294967295 for no
 *     limit
 * @param disabled the optional commands this LUN does not serve
 * @param softThresholdPercent the allocated share of the capacity at which initiators get THIN PROVISIONING SOFT
 *     THRESHOLD REACHED, 0 for none
 * @since 0.2
 */
public record LunAttributes(String vendor, String product, String revision, int rotationRate, int maxTransferBytes,
                            int optimalTransferBytes, long maxUnmapBlocks, Set<LunFeature> disabled,
                            int softThresholdPercent) {

    /** The attributes of a LUN nobody configured: iscsi4j's identity, non-rotating, every command served. */
    public static final LunAttributes DEFAULTS = new LunAttributes("ISCSI4J", "VIRTUAL-DISK", "0001", 1,
            8 * 1024 * 1024, 1024 * 1024, 0xFFFF_FFFFL, Set.of(), 0);

    /**
     * Copies the set.
     *
     * @param vendor the T10 vendor identification
     * @param product the product identification
     * @param revision the product revision level
     * @param rotationRate the medium rotation rate
     * @param maxTransferBytes the maximum transfer length in bytes
     * @param optimalTransferBytes the optimal transfer length in bytes
     * @param maxUnmapBlocks the maximum unmap LBA count
     * @param disabled the optional commands not served
     * @param softThresholdPercent the soft threshold in percent of the capacity, 0 for none
     */
    public LunAttributes {
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(revision, "revision");
        disabled = disabled.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(disabled));
    }
}
