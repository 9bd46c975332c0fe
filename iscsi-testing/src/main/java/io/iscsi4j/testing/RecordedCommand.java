package io.iscsi4j.testing;

import java.util.Objects;

/**
 * One storage operation a {@link RecordingBackstore} saw, in the order the target issued it.
 *
 * @param type what kind of operation
 * @param lba the first logical block; 0 for {@link Type#FLUSH}
 * @param blocks how many blocks; 0 for {@link Type#FLUSH}
 * @param fua whether force unit access was requested (writes, write same, compare and write)
 * @since 0.1
 */
public record RecordedCommand(Type type, long lba, long blocks, boolean fua) {

    /** The kinds of storage operation. */
    public enum Type {
        /** {@link io.iscsi4j.backstore.Backstore#read}: READ, and the read half of VERIFY and similar. */
        READ,
        /** {@link io.iscsi4j.backstore.Backstore#write}: WRITE and WRITE AND VERIFY. */
        WRITE,
        /** {@link io.iscsi4j.backstore.Backstore#flush}: SYNCHRONIZE CACHE. */
        FLUSH,
        /** {@link io.iscsi4j.backstore.Backstore#unmap}: UNMAP, WRITE SAME with UNMAP. */
        UNMAP,
        /** {@link io.iscsi4j.backstore.Backstore#writeSame}: WRITE SAME. */
        WRITE_SAME,
        /** {@link io.iscsi4j.backstore.Backstore#compareAndWrite}: COMPARE AND WRITE. */
        COMPARE_AND_WRITE
    }

    /**
     * Checks the type is present.
     *
     * @param type what kind of operation
     * @param lba the first logical block
     * @param blocks how many blocks
     * @param fua whether force unit access was requested
     */
    public RecordedCommand {
        Objects.requireNonNull(type, "type");
    }

    @Override
    public String toString() {
        return type == Type.FLUSH ? "FLUSH" : type + " lba=" + lba + " blocks=" + blocks + (fua ? " FUA" : "");
    }
}
