package io.iscsi4j.scsi;

import io.iscsi4j.backstore.Backstore;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SANITIZE (SBC-4 §5.30): OVERWRITE everywhere, BLOCK ERASE where the backstore can unmap. CRYPTOGRAPHIC ERASE (no
 * encryption to forget) and EXIT FAILURE MODE (see below) are not implemented.
 *
 * <p>Checks, before any data moves: the reserved CDB bits and bytes are 0; the logical unit is not write-protected
 * (DATA PROTECT / WRITE PROTECTED); OVERWRITE takes a parameter list of 5 to block size + 4 bytes, the other service
 * actions none (INVALID FIELD IN CDB otherwise). The OVERWRITE parameter list needs an OVERWRITE COUNT from 1, TEST
 * 00b and an INITIALIZATION PATTERN LENGTH from 1 to the block size equal to the list's remainder (INVALID FIELD IN
 * PARAMETER LIST otherwise).
 *
 * <p>Operation: the logical unit enters the sanitize state, in which every command except INQUIRY, REPORT LUNS,
 * REQUEST SENSE, LOG SENSE and the MAINTENANCE IN reports ends with NOT READY / LOGICAL UNIT NOT READY, SANITIZE IN
 * PROGRESS (REQUEST SENSE returns that sense data); it then waits for the commands already running, under an
 * exclusive claim on every block, and runs the operation. OVERWRITE writes every block with the pattern repeated to
 * fill the block, OVERWRITE COUNT times, inverted on every other pass if INVERT is set (a pass whose pattern is all
 * zeros unmaps instead where unmapped blocks read as zeros); BLOCK ERASE unmaps every block. With IMMED the command
 * ends with GOOD once the parameters are validated, and the operation continues. A failure ends the command with
 * the backstore's sense data (or is logged, with IMMED); the logical unit then leaves the sanitize state anyway:
 * there is no sanitize failure mode, so EXIT FAILURE MODE has nothing to do and is not offered. AUSE is accepted
 * and has no effect for the same reason.
 */
final class Sanitize {

    private static final Logger LOG = LoggerFactory.getLogger(Sanitize.class);

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
        int serviceAction = flags & 0x1F;
        int parameterListLength = Cdb.u16(cdb, 7);
        if (!SbcCommands.checkWritable(task, lu)) {
            return;
        }
        if (serviceAction != Opcode.SA_SANITIZE_OVERWRITE) {
            if (parameterListLength != 0) {
                Sense.fail(task, Sense.invalidField(7, -1));
                return;
            }
            start(task, lu, immediate, () -> AsyncIo.submit(lu, () -> lu.backstore().unmap(0, lu.blockCount())), 0);
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
        task.receiveDataOut(parameterListLength).whenComplete((list, dataOutFailure) -> {
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
                start(task, lu, immediate, () -> overwrite(lu, pattern, count, invert), parameterListLength);
            }
        });
    }

    /** Enters the sanitize state, runs {@code operation} under a whole-unit exclusive claim, leaves the state. */
    private static void start(ScsiTask task, LogicalUnit lu, boolean immediate,
                              java.util.function.Supplier<CompletableFuture<Void>> operation, int dataLength) {
        if (!lu.beginSanitize()) {
            Sense.fail(task, Sense.SANITIZE_IN_PROGRESS);
            return;
        }
        if (immediate) {
            task.complete(ScsiStatus.GOOD, null, dataLength);
        }
        AsyncIo.locked(lu, 0, LbaLocks.ALL, true, operation).whenComplete((v, failure) -> {
            lu.endSanitize();
            if (!immediate) {
                AsyncIo.finish(task, failure, true, dataLength);
            } else if (failure != null) {
                LOG.warn("SANITIZE with IMMED failed after GOOD status: {}",
                        SenseMapper.map(SenseMapper.unwrap(failure), true));
            }
        });
    }

    /** OVERWRITE COUNT passes over every block; see the class comment. */
    private static CompletableFuture<Void> overwrite(LogicalUnit lu, byte[] pattern, int count, boolean invert) {
        Backstore backstore = lu.backstore();
        long blocks = lu.blockCount();
        byte[] block = new byte[lu.blockSize()];
        for (int i = 0; i < block.length; i++) {
            block[i] = pattern[i % pattern.length];
        }
        byte[] inverted = new byte[block.length];
        for (int i = 0; i < block.length; i++) {
            inverted[i] = (byte) ~block[i];
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int pass = 0; pass < count; pass++) {
            // With INVERT, every other pass writes the inverse, ending with the pattern itself on the last pass.
            ByteBuffer data = ByteBuffer.wrap(invert && (count - 1 - pass) % 2 == 1 ? inverted : block);
            boolean deallocate = lu.supportsUnmap() && ProvisioningCommands.isZero(data);
            chain = chain.thenCompose(v -> AsyncIo.submit(lu, () -> deallocate
                    ? backstore.unmap(0, blocks)
                    : backstore.writeSame(0, blocks, data.duplicate(), true)));
        }
        return chain;
    }

    /** Whether a command may run while a sanitize operation is in progress (SBC-4 §4.11.3). */
    static boolean allowedDuringSanitize(int opcode) {
        return opcode == Opcode.INQUIRY || opcode == Opcode.REPORT_LUNS || opcode == Opcode.REQUEST_SENSE
                || opcode == Opcode.LOG_SENSE || opcode == Opcode.MAINTENANCE_IN;
    }
}
