package io.iscsi4j.initiator;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One SCSI command to send: LUN, CDB, and either data to write ({@code dataOut}) or room for data to read
 * ({@code dataIn}), or neither.
 *
 * <p><b>Buffers:</b> the session reads {@code dataOut} from its position to its limit and writes read data into
 * {@code dataIn} from its position, without moving either buffer's position; neither may be changed until the
 * command's stage completes. Bidirectional commands are not supported.
 *
 * @param lun the logical unit number (0..16383, flat or peripheral addressing)
 * @param cdb the command descriptor block, 6 to 16 bytes (a copy is kept)
 * @param dataOut the bytes to send, or {@code null}
 * @param dataIn where read bytes go ({@link ByteBuffer#remaining()} is the expected transfer length), or
 *     {@code null}
 * @since 0.1
 */
public record ScsiRequest(int lun, byte[] cdb, ByteBuffer dataOut, ByteBuffer dataIn) {

    /**
     * Checks the fields.
     *
     * @param lun the LUN
     * @param cdb the CDB
     * @param dataOut the data to write, or {@code null}
     * @param dataIn the buffer for read data, or {@code null}
     */
    public ScsiRequest {
        if (lun < 0 || lun > 16383) {
            throw new IllegalArgumentException("LUN out of range 0..16383: " + lun);
        }
        Objects.requireNonNull(cdb, "cdb");
        if (cdb.length < 6 || cdb.length > 16) {
            throw new IllegalArgumentException("a CDB has 6 to 16 bytes, not " + cdb.length);
        }
        cdb = cdb.clone();
        if (dataOut != null && dataIn != null) {
            throw new IllegalArgumentException("bidirectional commands are not supported");
        }
    }

    /**
     * A command that transfers no data (TEST UNIT READY, SYNCHRONIZE CACHE...).
     *
     * @param lun the LUN
     * @param cdb the CDB
     * @return the request
     */
    public static ScsiRequest noData(int lun, byte[] cdb) {
        return new ScsiRequest(lun, cdb, null, null);
    }

    /**
     * A command that reads data into {@code dst} (up to its remaining bytes).
     *
     * @param lun the LUN
     * @param cdb the CDB
     * @param dst where the data goes
     * @return the request
     */
    public static ScsiRequest read(int lun, byte[] cdb, ByteBuffer dst) {
        return new ScsiRequest(lun, cdb, null, Objects.requireNonNull(dst, "dst"));
    }

    /**
     * A command that reads up to {@code length} bytes into a new heap buffer.
     *
     * @param lun the LUN
     * @param cdb the CDB
     * @param length the allocation length
     * @return the request
     */
    public static ScsiRequest read(int lun, byte[] cdb, int length) {
        return read(lun, cdb, ByteBuffer.allocate(length));
    }

    /**
     * A command that writes the remaining bytes of {@code src}.
     *
     * @param lun the LUN
     * @param cdb the CDB
     * @param src the data
     * @return the request
     */
    public static ScsiRequest write(int lun, byte[] cdb, ByteBuffer src) {
        return new ScsiRequest(lun, cdb, Objects.requireNonNull(src, "src"), null);
    }

    /**
     * A copy of the CDB.
     *
     * @return the CDB bytes
     */
    @Override
    public byte[] cdb() {
        return cdb.clone();
    }

    /**
     * The Expected Data Transfer Length.
     *
     * @return bytes to write or room to read, 0 for neither
     */
    public int expectedLength() {
        return dataOut != null ? dataOut.remaining() : dataIn != null ? dataIn.remaining() : 0;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return String.format("ScsiRequest[lun=%d, opcode=0x%02x, %s %d bytes]", lun, cdb[0] & 0xFF,
                dataOut != null ? "out" : "in", expectedLength());
    }
}
