package io.iscsi4j.backstore;

/**
 * The validated shape of a backstore (block size in bytes, number of blocks) and the request checks the stock
 * backstores share. Immutable.
 */
record Geometry(int blockSize, long blockCount) {

    static final int MIN_BLOCK_SIZE = 512;
    static final int MAX_BLOCK_SIZE = 65536;

    Geometry {
        checkBlockSize(blockSize);
        if (blockCount <= 0) {
            throw new IllegalArgumentException("block count must be positive, got " + blockCount);
        }
        if (blockCount > Long.MAX_VALUE / blockSize) {
            throw new IllegalArgumentException(
                    blockCount + " blocks of " + blockSize + " bytes overflow a 64-bit byte count");
        }
    }

    /**
     * @throws IllegalArgumentException when the block size is not a power of two from 512 to 65536, or the size is
     *         not a positive multiple of it
     */
    static Geometry ofSize(long sizeBytes, int blockSize) {
        checkBlockSize(blockSize);
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + sizeBytes + " bytes");
        }
        if (sizeBytes % blockSize != 0) {
            throw new IllegalArgumentException(
                    "size of " + sizeBytes + " bytes is not a multiple of the block size " + blockSize);
        }
        return new Geometry(blockSize, sizeBytes / blockSize);
    }

    static void checkBlockSize(int blockSize) {
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException(
                    "block size must be a power of two from " + MIN_BLOCK_SIZE + " to " + MAX_BLOCK_SIZE
                            + " bytes, got " + blockSize);
        }
    }

    long capacityBytes() {
        return blockCount * blockSize;
    }

    /** See {@link #byteOffset(long, int, int, long)}. */
    long byteOffset(long lba, int lengthBytes) throws LbaOutOfRangeException {
        return byteOffset(lba, lengthBytes, blockSize, blockCount);
    }

    /**
     * Checks that {@code blocks} blocks from {@code lba} lie within {@code blockCount} blocks (no overflow: an LBA of
     * 2<sup>63</sup> or more arrives negative and is out of range).
     *
     * @throws IllegalArgumentException when {@code blocks} is negative
     * @throws LbaOutOfRangeException when the range does not lie within the capacity
     */
    static void checkRange(long lba, long blocks, long blockCount) throws LbaOutOfRangeException {
        if (blocks < 0) {
            throw new IllegalArgumentException("block count must not be negative: " + blocks);
        }
        if (lba < 0 || lba > blockCount || blocks > blockCount - lba) {
            throw new LbaOutOfRangeException(
                    "LBA " + lba + " + " + blocks + " blocks is outside the capacity of " + blockCount + " blocks");
        }
    }

    /**
     * Checks one transfer and returns the byte offset of {@code lba}.
     *
     * @throws IllegalArgumentException when {@code lengthBytes} is not a multiple of the block size
     * @throws LbaOutOfRangeException when {@code lba} is not a block of the backstore, or the transfer runs past
     *         the last block
     */
    static long byteOffset(long lba, int lengthBytes, int blockSize, long blockCount)
            throws LbaOutOfRangeException {
        if (lengthBytes % blockSize != 0) {
            throw new IllegalArgumentException(
                    "transfer of " + lengthBytes + " bytes is not a multiple of the block size " + blockSize);
        }
        long blocks = lengthBytes / blockSize;
        if (lba < 0 || lba >= blockCount || blocks > blockCount - lba) {
            throw new LbaOutOfRangeException(
                    "LBA " + lba + " + " + blocks + " blocks is outside the capacity of " + blockCount + " blocks");
        }
        return lba * blockSize;
    }
}
