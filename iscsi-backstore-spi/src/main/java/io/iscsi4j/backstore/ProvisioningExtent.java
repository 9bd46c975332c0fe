package io.iscsi4j.backstore;

/**
 * The provisioning status of a run of consecutive blocks, as {@link Backstore#provisioningStatus} reports it
 * (the GET LBA STATUS command's LBA status descriptor, SBC-4 §5.7).
 *
 * @param lba the first block of the extent, {@code >= 0}
 * @param blocks the number of blocks in the extent, {@code >= 1}
 * @param deallocated {@code true} when no storage backs the blocks (they read as zeros); {@code false} when they are
 *        mapped, or when the backstore does not know
 * @since 0.1
 */
public record ProvisioningExtent(long lba, long blocks, boolean deallocated) {

    /**
     * @param lba the first block of the extent, {@code >= 0}
     * @param blocks the number of blocks in the extent, {@code >= 1}
     * @param deallocated whether no storage backs the blocks
     * @throws IllegalArgumentException when {@code lba} is negative or {@code blocks} is not positive
     */
    public ProvisioningExtent {
        if (lba < 0) {
            throw new IllegalArgumentException("lba must not be negative: " + lba);
        }
        if (blocks < 1) {
            throw new IllegalArgumentException("an extent holds at least one block, got " + blocks);
        }
    }

    /** {@return the block after the extent's last block} */
    public long end() {
        return lba + blocks;
    }
}
