package io.iscsi4j.scsi;

import io.iscsi4j.backstore.Backstore;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SANITIZE (SBC-4 §5.30): OVERWRITE everywhere, BLOCK ERASE where the backstore can unmap, EXIT FAILURE MODE.
 * CRYPTOGRAPHIC ERASE (no encryption to forget) is not implemented.
 *
 * <p>Checks, before any data moves: the reserved CDB bits and bytes are 0; the logical unit is not write-protected
 * (DATA PROTECT / WRITE PROTECTED; not checked for EXIT FAILURE MODE, which changes no block); OVERWRITE takes a
 * parameter list of 5 to block size + 4 bytes, the other service actions none (INVALID FIELD IN CDB otherwise). The
 * OVERWRITE parameter list needs an OVERWRITE COUNT from 1, TEST 00b and an INITIALIZATION PATTERN LENGTH from 1 to
 * the block size equal to the list's remainder (INVALID FIELD IN PARAMETER LIST otherwise).
 *
 * <p><b>A background operation of the logical unit</b> (SBC-4 §4.11). Once the parameters are valid the logical
 * unit enters the sanitize state ({@link SanitizeState}), in which every command except INQUIRY, REPORT LUNS,
 * REQUEST SENSE, LOG SENSE and the MAINTENANCE IN reports ends with NOT READY / LOGICAL UNIT NOT READY, SANITIZE IN
 * PROGRESS carrying a PROGRESS INDICATION (SKSV=1; REQUEST SENSE returns that sense data with GOOD status). The
 * operation waits for the commands already running, under an exclusive claim on every block, then works through the
 * medium in chunks of at most {@value #CHUNK_BYTES} bytes ({@value #UNMAP_CHUNK_BYTES} for a pass that unmaps), one
 * backstore call per chunk, advancing the progress after each. OVERWRITE writes every block with the pattern repeated to fill the block, OVERWRITE COUNT times,
 * inverted on every other pass if INVERT is set (a pass whose pattern is all zeros unmaps instead where unmapped
 * blocks read as zeros); BLOCK ERASE unmaps every block. With IMMED the command ends with GOOD once the parameters
 * are validated. Without IMMED it ends when the operation does; the operation belongs to the logical unit, not to
 * the command: ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET, target resets and the loss of the
 * I_T nexus end the command (which then never answers, see {@link ScsiTask#continuesInBackground()}) and leave
 * the operation running. Closing the logical unit stops it at the next chunk. A pending unit attention takes
 * precedence: it is reported on the next command (SPC-5 §5.14), the sanitize condition on the ones after it.
 *
 * <p><b>Failure mode.</b> When a backstore call fails, the operation stops and the logical unit enters the sanitize
 * failure mode: the command (without IMMED) and every later command other than the ones above and SANITIZE end with
 * MEDIUM ERROR / SANITIZE COMMAND FAILED. A SANITIZE whose operation completes without error leaves the mode. If the
 * failed SANITIZE had AUSE=1, SANITIZE EXIT FAILURE MODE leaves it too; if it had AUSE=0 (restricted completion),
 * EXIT FAILURE MODE and a SANITIZE with AUSE=1 end with INVALID FIELD IN CDB. EXIT FAILURE MODE outside the failure
 * mode does nothing and ends with GOOD; with a parameter list length other than 0 it ends with INVALID FIELD IN CDB.
 */
final class Sanitize {

    private static final Logger LOG = LoggerFactory.getLogger(Sanitize.class);

    /** The most bytes one backstore call of the operation covers. */
    static final int CHUNK_BYTES = 1024 * 1024;

    /**
     * The most bytes one unmap call of the operation covers: larger, and a multiple of every usual allocation unit
     * of distributed storage (Ceph RBD's objects are 4 MiB by default), which can deallocate only whole units and
     * otherwise zeroes the part of a unit an unmap covers, leaving it mapped.
     */
    static final int UNMAP_CHUNK_BYTES = 64 * 1024 * 1024;

    private Sanitize() {
    }

    static void execute(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        int flags = Cdb.u8(cdb, 1);
        if ((flags & 0x40) != 0) {
            Sense.fail(task, Sense.invalidField(1, 6));
            return;
        }
        for (int i = 2; i <= 6; i++) {
            if (Cdb.u8(cdb, i) != 0) {
                Sense.fail(task, Sense.invalidField(i, -1));
                return;
            }
        }
        boolean immediate = (flags & 0x80) != 0;
        boolean ause = (flags & 0x20) != 0;
        int serviceAction = flags & 0x1F;
        int parameterListLength = Cdb.u16(cdb, 7);
        SanitizeState state = lu.sanitizeState();
        if (serviceAction == Opcode.SA_SANITIZE_EXIT_FAILURE_MODE) {
            if (parameterListLength != 0) {
                Sense.fail(task, Sense.invalidField(7, -1));
            } else if (!state.exitFailureMode()) {
                Sense.fail(task, Sense.invalidField(1, 4));
            } else {
                Responses.good(task);
            }
            return;
        }
        if (ause && state.restricted()) {
            Sense.fail(task, Sense.invalidField(1, 5));
            return;
        }
        if (!SbcCommands.checkWritable(task, lu)) {
            return;
        }
        if (serviceAction != Opcode.SA_SANITIZE_OVERWRITE) {
            if (parameterListLength != 0) {
                Sense.fail(task, Sense.invalidField(7, -1));
                return;
            }
            start(task, lu, immediate, ause, new ByteBuffer[] {null}, 0);
            return;
        }
        int blockSize = lu.blockSize();
        if (parameterListLength < 5 || parameterListLength > blockSize + 4) {
            Sense.fail(task, Sense.invalidField(7, -1));
            return;
        }
        if (task.expectedTransferLength() < parameterListLength) {
            Sense.fail(task, Sense.PARAMETER_LIST_LENGTH_ERROR);
            return;
        }
        task.receiveDataOut(parameterListLength, (list, dataOutFailure) -> {
            if (dataOutFailure != null) {
                return;
            }
            int control = list.get(0) & 0xFF;
            int count = control & 0x1F;
            int patternLength = ((list.get(2) & 0xFF) << 8) | (list.get(3) & 0xFF);
            if (count == 0) {
                Sense.fail(task, Sense.invalidParameter(0, 4));
            } else if ((control & 0x60) != 0) { // TEST
                Sense.fail(task, Sense.invalidParameter(0, 6));
            } else if (patternLength == 0 || patternLength > blockSize
                    || patternLength != parameterListLength - 4) {
                Sense.fail(task, Sense.invalidParameter(2, -1));
            } else {
                byte[] pattern = new byte[patternLength];
                list.get(4, pattern);
                boolean invert = (control & 0x80) != 0;
                start(task, lu, immediate, ause, overwritePasses(lu, pattern, count, invert), parameterListLength);
            }
        });
    }

    /**
     * The data of each OVERWRITE pass: one block filled with the pattern (or its inverse), or {@code null} for a pass
     * that unmaps instead (all zeros where unmapped blocks read as zeros).
     */
    private static ByteBuffer[] overwritePasses(LogicalUnit lu, byte[] pattern, int count, boolean invert) {
        byte[] block = new byte[lu.blockSize()];
        for (int i = 0; i < block.length; i++) {
            block[i] = pattern[i % pattern.length];
        }
        byte[] inverted = new byte[block.length];
        for (int i = 0; i < block.length; i++) {
            inverted[i] = (byte) ~block[i];
        }
        ByteBuffer[] passes = new ByteBuffer[count];
        for (int pass = 0; pass < count; pass++) {
            // With INVERT, every other pass writes the inverse, ending with the pattern itself on the last pass.
            ByteBuffer data = ByteBuffer.wrap(invert && (count - 1 - pass) % 2 == 1 ? inverted : block)
                    .asReadOnlyBuffer();
            passes[pass] = lu.supportsUnmap() && ProvisioningCommands.isZero(data) ? null : data;
        }
        return passes;
    }

    /** Enters the sanitize state and runs the passes under a whole-unit exclusive claim; see the class comment. */
    private static void start(ScsiTask task, LogicalUnit lu, boolean immediate, boolean ause, ByteBuffer[] passes,
                              int dataLength) {
        SanitizeState state = lu.sanitizeState();
        long blocks = lu.blockCount();
        if (!state.begin(blocks * passes.length, ause)) {
            SenseData refusal = state.refusal();
            Sense.fail(task, refusal != null ? refusal : Sense.SANITIZE_IN_PROGRESS);
            return;
        }
        if (immediate) {
            task.complete(ScsiStatus.GOOD, null, dataLength);
        } else {
            task.continuesInBackground();
        }
        Operation operation = new Operation(lu, blocks, passes);
        AsyncIo.locked(lu, 0, LbaLocks.ALL, true, operation::run).whenComplete((v, failure) -> {
            if (failure == null) {
                state.succeeded();
                if (!immediate) {
                    task.complete(ScsiStatus.GOOD, null, dataLength);
                }
                return;
            }
            state.failed();
            Throwable cause = SenseMapper.unwrap(failure);
            if (cause instanceof Operation.Closed) {
                LOG.debug("SANITIZE stopped: the logical unit was closed");
            } else {
                LOG.warn("SANITIZE failed; the logical unit is in the sanitize failure mode: {}",
                        cause.toString());
            }
            if (!immediate) {
                Sense.fail(task, SanitizeState.COMMAND_FAILED);
            }
        });
    }

    /**
     * The passes of one sanitize operation over the medium, chunk by chunk: each chunk is one backstore call on the
     * logical unit's executor, the next one is submitted when it completes (no thread waits in between).
     */
    private static final class Operation {

        /** The logical unit was closed while the operation ran. */
        static final class Closed extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Closed() {
                super("logical unit closed", null, false, false);
            }
        }

        private final LogicalUnit lu;
        private final Backstore backstore;
        private final long blocks;
        private final long chunkBlocks;
        private final long unmapChunkBlocks;
        private final ByteBuffer[] passes;
        private final CompletableFuture<Void> result = new CompletableFuture<>();
        private int pass;
        private long lba;

        Operation(LogicalUnit lu, long blocks, ByteBuffer[] passes) {
            this.lu = lu;
            this.backstore = lu.backstore();
            this.blocks = blocks;
            this.chunkBlocks = Math.max(1, CHUNK_BYTES / lu.blockSize());
            this.unmapChunkBlocks = Math.max(1, UNMAP_CHUNK_BYTES / lu.blockSize());
            this.passes = passes;
        }

        CompletableFuture<Void> run() {
            next();
            return result;
        }

        private void next() {
            if (lba >= blocks) {
                pass++;
                lba = 0;
            }
            if (pass == passes.length) {
                result.complete(null);
                return;
            }
            long at = lba;
            ByteBuffer data = passes[pass];
            long n = Math.min(data == null ? unmapChunkBlocks : chunkBlocks, blocks - at);
            AsyncIo.submit(lu, () -> {
                if (lu.isClosed()) {
                    throw new Closed(); // no backstore call after close
                }
                return data == null ? backstore.unmap(at, n) : backstore.writeSame(at, n, data.duplicate(), true);
            }).whenComplete((v, failure) -> {
                        if (failure != null) {
                            result.completeExceptionally(failure);
                            return;
                        }
                        lba = at + n;
                        lu.sanitizeState().advance(n);
                        next();
                    });
        }
    }

    /** Whether a command may run while a sanitize operation is in progress (SBC-4 §4.11.3). */
    static boolean allowedDuringSanitize(int opcode) {
        return opcode == Opcode.INQUIRY || opcode == Opcode.REPORT_LUNS || opcode == Opcode.REQUEST_SENSE
                || opcode == Opcode.LOG_SENSE || opcode == Opcode.MAINTENANCE_IN;
    }

    /**
     * The sense data ending a command because of the logical unit's sanitize state, or {@code null} when it may
     * run: while an operation is in progress only the commands of {@link #allowedDuringSanitize} run; in the failure
     * mode SANITIZE runs too.
     */
    static SenseData refusal(LogicalUnit lu, int opcode) {
        SenseData refusal = lu.sanitizeState().refusal();
        if (refusal == null || allowedDuringSanitize(opcode)
                || opcode == Opcode.SANITIZE && lu.sanitizeState().phase() == SanitizeState.Phase.FAILED) {
            return null;
        }
        return refusal;
    }
}
