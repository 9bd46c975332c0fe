package io.iscsi4j.backstore.rbd.internal;

import io.iscsi4j.backstore.LbaOutOfRangeException;
import io.iscsi4j.backstore.MediumErrorException;
import io.iscsi4j.backstore.NotReadyException;
import io.iscsi4j.backstore.WriteProtectedException;
import java.io.IOException;

/** The Linux errno values librados and librbd return (negated), and what each means for an initiator. */
public final class Errno {

    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int ENXIO = 6;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int EROFS = 30;
    static final int EILSEQ = 84;
    static final int ENOTCONN = 107;
    /** Also Ceph's EBLOCKLISTED: this client was blocklisted (fenced) by the cluster. */
    static final int ESHUTDOWN = 108;
    static final int ETIMEDOUT = 110;
    static final int EDQUOT = 122;
    static final int ECANCELED = 125;

    private Errno() {
    }

    /** {@return the errno's symbolic name, or its number} */
    public static String name(int errno) {
        switch (Math.abs(errno)) {
            case ENOENT: return "ENOENT";
            case EIO: return "EIO";
            case ENXIO: return "ENXIO";
            case EAGAIN: return "EAGAIN";
            case EACCES: return "EACCES";
            case EBUSY: return "EBUSY";
            case EINVAL: return "EINVAL";
            case ENOSPC: return "ENOSPC";
            case EROFS: return "EROFS";
            case EILSEQ: return "EILSEQ";
            case ENOTCONN: return "ENOTCONN";
            case ESHUTDOWN: return "ESHUTDOWN (blocklisted)";
            case ETIMEDOUT: return "ETIMEDOUT";
            case EDQUOT: return "EDQUOT";
            case ECANCELED: return "ECANCELED";
            default: return "errno " + Math.abs(errno);
        }
    }

    /**
     * The failure a librados call on the cluster (not on the image's blocks) stands for: this client fenced off
     * (blocklisted), a timed-out or lost cluster connection are NOT READY, as for the image's I/O; anything else is an
     * {@link IOException} naming the errno.
     *
     * @param result the negative return value
     * @param what the operation, for the message
     * @return the exception to complete the call's stage with
     */
    public static Exception toClusterException(long result, String what) {
        int errno = (int) -result;
        String message = what + " failed: " + name(errno);
        switch (errno) {
            case ESHUTDOWN:
            case ETIMEDOUT:
            case ENOTCONN:
                return new NotReadyException(message);
            default:
                return new IOException(message);
        }
    }

    /**
     * The failure an I/O call's negative result stands for, as the backstore SPI's typed exceptions: the client
     * fenced off (blocklisted), a timed-out or lost cluster connection and an image that is gone are NOT READY (an
     * initiator retries, or fails over to another path); a read-only image or snapshot, or an exclusive lock held by
     * another client with writes refused, is WRITE PROTECTED; an offset past the image's end (it shrank) is out of
     * range; EIO is a medium error at {@code lba}; anything else is reported as a hardware error.
     *
     * @param result the negative return value
     * @param what the operation, for the message (for example {@code "rbd_aio_write"})
     * @param lba the first block of the request, for a medium error
     * @param writing whether the request writes (a medium error's sense differs)
     * @return the exception to complete the request's stage with
     */
    public static Exception toException(long result, String what, long lba, boolean writing) {
        int errno = (int) -result;
        String message = what + " failed: " + name(errno);
        switch (errno) {
            case ESHUTDOWN:
            case ETIMEDOUT:
            case ENOTCONN:
            case ENOENT:
            case ENXIO:
                return new NotReadyException(message);
            case EROFS:
            case EACCES:
                return new WriteProtectedException(message);
            case EINVAL:
                return new LbaOutOfRangeException(message);
            case EIO:
                return new MediumErrorException(lba, message);
            default:
                return new IOException(message);
        }
    }
}
