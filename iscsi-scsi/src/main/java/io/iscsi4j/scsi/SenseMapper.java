package io.iscsi4j.scsi;

import io.iscsi4j.backstore.BackstoreException;
import io.iscsi4j.backstore.LbaOutOfRangeException;
import io.iscsi4j.backstore.MediumErrorException;
import io.iscsi4j.backstore.MiscompareException;
import io.iscsi4j.backstore.NotReadyException;
import io.iscsi4j.backstore.OutOfSpaceException;
import io.iscsi4j.backstore.WriteProtectedException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a backstore failure becomes sense data (SBC-4 §4.18, SPC-5 Annex D).
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>failure</th><th>sense</th></tr>
 *   <tr><td>{@link MediumErrorException}</td><td>MEDIUM ERROR / UNRECOVERED READ ERROR (reads) or WRITE ERROR
 *       (writes, flushes), INFORMATION = the LBA</td></tr>
 *   <tr><td>{@link LbaOutOfRangeException}</td><td>ILLEGAL REQUEST / LOGICAL BLOCK ADDRESS OUT OF RANGE</td></tr>
 *   <tr><td>{@link WriteProtectedException}</td><td>DATA PROTECT / WRITE PROTECTED</td></tr>
 *   <tr><td>{@link OutOfSpaceException}</td><td>DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT</td></tr>
 *   <tr><td>{@link NotReadyException}</td><td>NOT READY / LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE</td></tr>
 *   <tr><td>{@link MiscompareException}</td><td>MISCOMPARE / MISCOMPARE DURING VERIFY OPERATION, INFORMATION = the
 *       byte offset of the first difference</td></tr>
 *   <tr><td>a call past the logical unit's backstore timeout ({@code AsyncIo.Stalled})</td><td>NOT READY / LOGICAL
 *       UNIT NOT READY, OPERATION IN PROGRESS (see {@link BackstoreTimeouts})</td></tr>
 *   <tr><td>anything else</td><td>HARDWARE ERROR / INTERNAL TARGET FAILURE, logged at ERROR</td></tr>
 * </table>
 *
 * {@link CompletionException} and {@link ExecutionException} wrappers are unwrapped first. Typed backstore
 * conditions are expected outcomes and are logged at DEBUG only.
 */
final class SenseMapper {

    private static final Logger LOG = LoggerFactory.getLogger(SenseMapper.class);
    /** DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT (27h/07h), for {@link OutOfSpaceException}. */
    static final SenseData SPACE_ALLOCATION_FAILED =
            SenseData.of(SenseKey.DATA_PROTECT, AdditionalSense.SPACE_ALLOCATION_FAILED_WRITE_PROTECT);

    private SenseMapper() {
    }

    /**
     * Maps a failed backstore call.
     *
     * @param failure what the stage completed with, or what the call threw
     * @param writing {@code true} for writes and flushes, {@code false} for reads
     * @return the sense data to report with CHECK CONDITION
     */
    static SenseData map(Throwable failure, boolean writing) {
        Throwable cause = unwrap(failure);
        if (cause instanceof AsyncIo.Stalled) {
            return BackstoreTimeouts.NOT_READY; // logged once per stall by BackstoreTimeouts
        }
        if (cause instanceof BackstoreException) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("backstore condition: {}", cause.toString());
            }
            if (cause instanceof MediumErrorException medium) {
                return SenseData.of(SenseKey.MEDIUM_ERROR,
                                writing ? AdditionalSense.WRITE_ERROR : AdditionalSense.UNRECOVERED_READ_ERROR)
                        .withInformation(medium.lba());
            }
            if (cause instanceof LbaOutOfRangeException) {
                return Sense.LBA_OUT_OF_RANGE;
            }
            if (cause instanceof WriteProtectedException) {
                return Sense.WRITE_PROTECTED;
            }
            if (cause instanceof OutOfSpaceException) {
                return SPACE_ALLOCATION_FAILED;
            }
            if (cause instanceof NotReadyException) {
                return Sense.NOT_READY;
            }
            if (cause instanceof MiscompareException miscompare) {
                return Sense.MISCOMPARE.withInformation(miscompare.offset());
            }
        }
        LOG.error("internal target failure; reporting HARDWARE ERROR", cause);
        return Sense.INTERNAL_TARGET_FAILURE;
    }

    /** Strips {@link CompletionException} and {@link ExecutionException} wrappers. */
    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
