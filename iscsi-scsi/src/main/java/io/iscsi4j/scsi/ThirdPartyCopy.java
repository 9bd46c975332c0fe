package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EXTENDED COPY (LID1) and RECEIVE COPY RESULTS (COPY STATUS, OPERATING PARAMETERS) (SPC-5, third-party copy): the
 * logical unit as a copy manager that copies blocks between logical units of this target, the data never leaving
 * the target.
 *
 * <p><b>Descriptors.</b> Copy targets are named by identification descriptor CSCD descriptors (E4h) carrying the NAA
 * designator that VPD page 83h reports for a logical unit of the same dispatcher, with peripheral device type 00h and
 * that logical unit's block length; the LU ID TYPE, NUL and RELATIVE INITIATOR PORT IDENTIFIER fields are ignored
 * (obsolete or meaningless here). Segments are block device to block device segment descriptors (02h). Other
 * descriptor types end with UNSUPPORTED TARGET / SEGMENT DESCRIPTOR TYPE CODE; inline and embedded data are not
 * supported (MAXIMUM INLINE DATA LENGTH 0).
 *
 * <p><b>Errors</b> found in the parameter list before any segment is processed end with ILLEGAL REQUEST (PARAMETER
 * LIST LENGTH ERROR when the lengths disagree or the descriptors exceed {@link #MAX_DESCRIPTOR_LIST_LENGTH}, TOO MANY
 * TARGET / SEGMENT DESCRIPTORS, INVALID FIELD IN PARAMETER LIST). Errors while processing segments end with COPY
 * ABORTED, the segment pointer (sense-key specific, relative to the parameter list) at the offending field: a CSCD
 * descriptor index naming no descriptor, or a designator naming no logical unit, is UNREACHABLE COPY TARGET; a block
 * length other than the logical unit's is INCORRECT COPY TARGET DEVICE TYPE; a range beyond a logical unit's
 * capacity, or block counts that do not convert between block lengths, is NO ADDITIONAL SENSE INFORMATION; a
 * write-protected destination is WRITE PROTECTED; a failing backstore is the additional sense code a READ or WRITE
 * would have reported. Segments before the failing one stay copied. A segment whose source (read) or destination
 * (write) is a logical unit other than the addressed one that a reservation closes to the sending I_T nexus ends the
 * command with RESERVATION CONFLICT, as a READ or WRITE from that nexus would (the addressed logical unit's
 * reservations were checked for the EXTENDED COPY itself). Only EXTENDED COPY (LID1) is implemented: no LID4, no
 * token-based copy (POPULATE TOKEN, WRITE USING TOKEN), no RECEIVE DATA or FAILED SEGMENT DETAILS.
 *
 * <p><b>I/O.</b> Each segment is copied in chunks of at most {@link #CHUNK_BYTES}, each chunk read then written
 * through the logical units' executors while holding a shared {@link LbaLocks} claim on its blocks (as READ and WRITE
 * do); a segment whose destination overlaps its source at a higher address is copied from its end. Writes are forced
 * unit access on a write-through destination.
 */
final class ThirdPartyCopy {

    /** Most CSCD (target) descriptors per EXTENDED COPY. */
    static final int MAX_TARGET_DESCRIPTORS = 16;
    /** Most segment descriptors per EXTENDED COPY. */
    static final int MAX_SEGMENT_DESCRIPTORS = 128;
    /** Most bytes of CSCD and segment descriptors per EXTENDED COPY. */
    static final int MAX_DESCRIPTOR_LIST_LENGTH = 4096;
    /** Bytes read and written per backstore call. */
    static final int CHUNK_BYTES = 1024 * 1024;

    private static final int HEADER_LENGTH = 16;
    private static final int IDENTIFICATION_DESCRIPTOR = 0xE4;
    private static final int BLOCK_TO_BLOCK = 0x02;
    private static final int TARGET_DESCRIPTOR_LENGTH = 32;
    private static final int BLOCK_TO_BLOCK_LENGTH = 28;
    private static final int DESIGNATOR_TYPE_NAA = 0x3;

    private static final Logger LOG = LoggerFactory.getLogger(ThirdPartyCopy.class);

    private ThirdPartyCopy() {
    }

    // ---- EXTENDED COPY ----

    /** EXTENDED COPY (LID1): PARAMETER LIST LENGTH in bytes 10 to 13. */
    static void extendedCopy(ScsiTask task, LogicalUnit lu, ScsiDispatcher dispatcher) {
        long listLength = Cdb.u32(task.cdb(), 10);
        if (listLength == 0) {
            Responses.good(task); // nothing to copy (SPC-5: not an error)
            return;
        }
        if (listLength < HEADER_LENGTH || listLength > HEADER_LENGTH + MAX_DESCRIPTOR_LIST_LENGTH) {
            Sense.fail(task, Sense.PARAMETER_LIST_LENGTH_ERROR);
            return;
        }
        int length = (int) Math.min(listLength, task.expectedTransferLength());
        task.receiveDataOut(length, (list, dataOutFailure) -> {
            if (dataOutFailure != null) {
                return; // the transport completed the task
            }
            try {
                byte[] b = new byte[length];
                list.get(list.position(), b);
                start(task, lu, dispatcher, b, (int) listLength);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) { // an Error too: the task must still end
                LOG.error("EXTENDED COPY failed unexpectedly", e);
                Sense.fail(task, Sense.INTERNAL_TARGET_FAILURE);
            }
        });
    }

    /** The decoded parameter list: where the CSCD and segment descriptors start, and how many there are. */
    private record ParameterList(byte[] bytes, int listId, int listIdUsage, int[] targets, int[] segments) {
    }

    /** Validates the parameter list and runs the segments. */
    private static void start(ScsiTask task, LogicalUnit lu, ScsiDispatcher dispatcher, byte[] b, int listLength) {
        Object parsed = parse(b);
        if (parsed instanceof SenseData error) {
            Sense.fail(task, error);
            return;
        }
        ParameterList p = (ParameterList) parsed;
        ItNexus nexus = task.nexus();
        CopyManager copyManager = lu.copyManager();
        CopyManager.Operation op = copyManager.begin(nexus, p.listId, p.listIdUsage);
        if (op == null) {
            Sense.fail(task, SenseData.of(SenseKey.ILLEGAL_REQUEST, copyManager.busy()
                    ? AdditionalSense.INSUFFICIENT_RESOURCES : AdditionalSense.OPERATION_IN_PROGRESS));
            return;
        }
        new Copy(task, lu, dispatcher, p, op, listLength).advance();
    }

    /**
     * Checks the header, the lengths, the descriptor counts and types; returns the {@link ParameterList} or the
     * sense data of the first error.
     */
    private static Object parse(byte[] b) {
        if (b.length < HEADER_LENGTH) {
            return Sense.PARAMETER_LIST_LENGTH_ERROR;
        }
        int listId = b[0] & 0xFF;
        int usage = (b[1] >>> 3) & 0x03;
        int targetListLength = u16(b, 2);
        long segmentListLength = u32(b, 8);
        long inlineLength = u32(b, 12);
        if (HEADER_LENGTH + targetListLength + segmentListLength + inlineLength > b.length) {
            return Sense.PARAMETER_LIST_LENGTH_ERROR;
        }
        if (targetListLength + segmentListLength > MAX_DESCRIPTOR_LIST_LENGTH) {
            return Sense.PARAMETER_LIST_LENGTH_ERROR;
        }
        if (usage == 0b01) {
            return Sense.invalidParameter(1, 4);
        }
        if (usage == 0b11 && listId != 0) {
            return Sense.invalidParameter(0, -1);
        }
        if (inlineLength != 0) {
            return Sense.invalidParameter(12, -1);
        }
        int[] targets = new int[MAX_TARGET_DESCRIPTORS + 1];
        int targetCount = 0;
        int end = HEADER_LENGTH + targetListLength;
        for (int p = HEADER_LENGTH; p < end; ) {
            if (targetCount == targets.length) {
                return SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.TOO_MANY_TARGET_DESCRIPTORS);
            }
            targets[targetCount++] = p;
            int type = b[p] & 0xFF;
            p += type == 0xEA || type == 0xEB ? 64 : TARGET_DESCRIPTOR_LENGTH; // SPC-5: 64-byte IPv6 descriptors
            if (p > end) {
                return Sense.invalidParameter(2, -1);
            }
        }
        if (targetCount > MAX_TARGET_DESCRIPTORS) {
            return SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.TOO_MANY_TARGET_DESCRIPTORS);
        }
        int[] segments = new int[MAX_SEGMENT_DESCRIPTORS + 1];
        int segmentCount = 0;
        long segmentEnd = end + segmentListLength;
        for (int p = end; p < segmentEnd; ) {
            if (segmentCount == segments.length) {
                return SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.TOO_MANY_SEGMENT_DESCRIPTORS);
            }
            if (p + 4 > segmentEnd) {
                return Sense.invalidParameter(8, -1);
            }
            segments[segmentCount++] = p;
            p += 4 + u16(b, p + 2);
            if (p > segmentEnd) {
                return Sense.invalidParameter(8, -1);
            }
        }
        if (segmentCount > MAX_SEGMENT_DESCRIPTORS) {
            return SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.TOO_MANY_SEGMENT_DESCRIPTORS);
        }
        for (int i = 0; i < targetCount; i++) {
            int p = targets[i];
            if ((b[p] & 0xFF) != IDENTIFICATION_DESCRIPTOR) {
                return SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE)
                        .withFieldPointer(false, p, -1);
            }
            if ((b[p + 1] & 0x1F) != Inquiry.PERIPHERAL_DISK) {
                return Sense.invalidParameter(p + 1, 4);
            }
        }
        for (int i = 0; i < segmentCount; i++) {
            int p = segments[i];
            if ((b[p] & 0xFF) != BLOCK_TO_BLOCK) {
                return SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE)
                        .withFieldPointer(false, p, -1);
            }
            if (u16(b, p + 2) != BLOCK_TO_BLOCK_LENGTH - 4) {
                return Sense.invalidParameter(p + 2, -1);
            }
        }
        return new ParameterList(b, listId, usage, Arrays.copyOf(targets, targetCount),
                Arrays.copyOf(segments, segmentCount));
    }

    /**
     * One EXTENDED COPY being processed, segment by segment and chunk by chunk: a trampoline, so that backstore
     * calls completing on the calling thread (a direct executor) loop instead of nesting one stack frame per chunk.
     */
    private static final class Copy {

        private final ScsiTask task;
        private final LogicalUnit addressed;
        private final ScsiDispatcher dispatcher;
        private final ParameterList list;
        private final CopyManager.Operation op;
        private final int listLength;
        /** Steps requested and not yet run; the thread that raises it from 0 runs them. */
        private final AtomicInteger pendingSteps = new AtomicInteger();
        /** Index of the segment in progress (-1 before the first). */
        private int segment = -1;
        /** The segment in progress, resolved; {@code null} between segments. */
        private Segment current;
        /** Bytes of {@link #current} copied. */
        private long done;
        /** The chunk buffer, reused from chunk to chunk. */
        private ByteBuffer buffer;

        Copy(ScsiTask task, LogicalUnit addressed, ScsiDispatcher dispatcher, ParameterList list,
             CopyManager.Operation op, int listLength) {
            this.task = task;
            this.addressed = addressed;
            this.dispatcher = dispatcher;
            this.list = list;
            this.op = op;
            this.listLength = listLength;
        }

        /** Requests the next step: runs it here, unless a step is running (which then runs it after itself). */
        void advance() {
            if (pendingSteps.getAndIncrement() != 0) {
                return;
            }
            do {
                try {
                    step();
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) { // an Error too: the task must still end
                    LOG.error("EXTENDED COPY failed unexpectedly", e);
                    finish(Outcome.checkCondition(Sense.INTERNAL_TARGET_FAILURE));
                }
            } while (pendingSteps.decrementAndGet() != 0);
        }

        /**
         * One step: moves to the next segment (resolving it) when the current one is done, finishes after the last,
         * or starts copying the next chunk, whose completion requests the next step.
         */
        private void step() {
            if (current == null || done == current.bytes) {
                if (current != null) {
                    op.segmentDone();
                }
                if (++segment == list.segments.length) {
                    finish(Outcome.GOOD);
                    return;
                }
                Object prepared = prepare(list.segments[segment]);
                if (prepared instanceof Outcome failed) {
                    finish(failed);
                    return;
                }
                current = (Segment) prepared;
                done = 0;
                advance(); // runs after this step returns
                return;
            }
            if (op.cancelled()) {
                finish(aborted(AdditionalSense.NO_ADDITIONAL_SENSE_INFORMATION, current.descriptor));
                return;
            }
            Segment s = current;
            int chunk = (int) Math.min(s.bytes - done, chunkBytes(s));
            if (buffer == null || buffer.capacity() < chunk) {
                buffer = ByteBuffer.allocate(chunkBytes(s));
            }
            buffer.clear().limit(chunk);
            long offset = s.backwards() ? s.bytes - done - chunk : done;
            copyChunk(s, offset, buffer).whenComplete((ignored, failure) -> {
                if (failure != null && SenseMapper.unwrap(failure) instanceof AsyncIo.Aborted) {
                    finish(new Outcome(ScsiStatus.TASK_ABORTED, null)); // not sent: the task was aborted
                    return;
                }
                if (failure != null) {
                    finish(ioFailure(failure));
                    return;
                }
                op.transferred(chunk);
                done += chunk;
                advance();
            });
        }

        /** Resolves and checks a block device to block device segment; returns the {@link Segment} or an Outcome. */
        private Object prepare(int p) {
            byte[] b = list.bytes;
            int sourceIndex = u16(b, p + 4);
            int destinationIndex = u16(b, p + 6);
            boolean destinationCount = (b[p + 1] & 0x02) != 0; // DC
            int blocks = u16(b, p + 10);
            long sourceLba = u64(b, p + 12);
            long destinationLba = u64(b, p + 20);
            Object source = copyTarget(sourceIndex, p + 4);
            if (source instanceof Outcome o) {
                return o;
            }
            Object destination = copyTarget(destinationIndex, p + 6);
            if (destination instanceof Outcome o) {
                return o;
            }
            LogicalUnit src = (LogicalUnit) source;
            LogicalUnit dst = (LogicalUnit) destination;
            ItNexus nexus = task.nexus();
            if (src != addressed && src.reservations().conflicts(nexus, ReservationAccess.READ)
                    || dst != addressed && dst.reservations().conflicts(nexus, ReservationAccess.WRITE)) {
                return Outcome.RESERVATION_CONFLICT;
            }
            if (src.sanitizing() || dst.sanitizing()) {
                return aborted(AdditionalSense.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS, p);
            }
            long bytes = (long) blocks * (destinationCount ? dst.blockSize() : src.blockSize());
            if (bytes % src.blockSize() != 0 || bytes % dst.blockSize() != 0) {
                return aborted(AdditionalSense.NO_ADDITIONAL_SENSE_INFORMATION, p + 10);
            }
            long sourceBlocks = bytes / src.blockSize();
            long destinationBlocks = bytes / dst.blockSize();
            if (!SbcCommands.inRange(sourceLba, sourceBlocks, src.blockCount())) {
                return aborted(AdditionalSense.NO_ADDITIONAL_SENSE_INFORMATION, p + 12);
            }
            if (!SbcCommands.inRange(destinationLba, destinationBlocks, dst.blockCount())) {
                return aborted(AdditionalSense.NO_ADDITIONAL_SENSE_INFORMATION, p + 20);
            }
            if (bytes > 0 && dispatcher.isWriteProtected(dst)) {
                return aborted(AdditionalSense.WRITE_PROTECTED, p + 6);
            }
            return new Segment(p, src, sourceLba, dst, destinationLba, bytes);
        }

        /**
         * The logical unit of CSCD descriptor {@code index} (its NAA designator and block length checked), or COPY
         * ABORTED with the segment pointer at {@code field}.
         */
        private Object copyTarget(int index, int field) {
            if (index >= list.targets.length) {
                return aborted(AdditionalSense.UNREACHABLE_COPY_TARGET, field);
            }
            byte[] b = list.bytes;
            int p = list.targets[index];
            int designatorType = b[p + 5] & 0x0F;
            int association = (b[p + 5] >>> 4) & 0x03;
            int designatorLength = b[p + 7] & 0xFF;
            LogicalUnit found = null;
            if (designatorType == DESIGNATOR_TYPE_NAA && association == 0 && designatorLength == 16) {
                byte[] designator = Arrays.copyOfRange(b, p + 8, p + 24);
                for (LogicalUnit lu : dispatcher.logicalUnits().values()) {
                    if (Arrays.equals(lu.naaDesignator(), designator)) {
                        found = lu;
                        break;
                    }
                }
            }
            if (found == null) {
                return aborted(AdditionalSense.UNREACHABLE_COPY_TARGET, p + 4);
            }
            int blockLength = ((b[p + 29] & 0xFF) << 16) | ((b[p + 30] & 0xFF) << 8) | (b[p + 31] & 0xFF);
            if (blockLength != found.blockSize()) {
                return aborted(AdditionalSense.INCORRECT_COPY_TARGET_DEVICE_TYPE, p + 29);
            }
            return found;
        }

        /**
         * Reads {@code buffer.remaining()} bytes at byte {@code offset} of the segment's source into {@code buffer}
         * and writes them to its destination.
         */
        private CompletionStage<Object> copyChunk(Segment s, long offset, ByteBuffer buffer) {
            int chunk = buffer.remaining();
            long srcLba = s.sourceLba + offset / s.source.blockSize();
            long dstLba = s.destinationLba + offset / s.destination.blockSize();
            return AsyncIo.locked(s.source, srcLba, chunk / s.source.blockSize(), false,
                    () -> AsyncIo.submit(task, s.source, () -> s.source.backstore().read(srcLba, buffer)))
                    .thenCompose(ignored -> {
                        buffer.clear().limit(chunk);
                        return AsyncIo.locked(s.destination, dstLba, chunk / s.destination.blockSize(), false,
                                () -> AsyncIo.submit(task, s.destination, () -> s.destination.backstore()
                                        .write(dstLba, buffer, !s.destination.isWriteBack())))
                                .handle((v, writeFailure) -> {
                                    if (writeFailure != null) {
                                        Throwable cause = SenseMapper.unwrap(writeFailure);
                                        throw cause instanceof AsyncIo.Aborted a ? a : new WriteFailure(cause);
                                    }
                                    return v;
                                });
                    });
        }

        /** Whole blocks of both logical units, at most {@link #CHUNK_BYTES}. */
        private static int chunkBytes(Segment s) {
            int unit = Math.max(s.source.blockSize(), s.destination.blockSize());
            return Math.max(unit, CHUNK_BYTES / unit * unit);
        }

        /** COPY ABORTED for a failed backstore call, with the additional sense code READ or WRITE would report. */
        private Outcome ioFailure(Throwable failure) {
            Segment s = current;
            Throwable cause = SenseMapper.unwrap(failure);
            boolean writing = cause instanceof WriteFailure;
            if (writing) {
                cause = cause.getCause();
            }
            if (cause instanceof AsyncIo.Busy) {
                return aborted(AdditionalSense.INSUFFICIENT_RESOURCES, s.descriptor);
            }
            return aborted(SenseMapper.map(cause, writing).additionalSense(), s.descriptor);
        }

        private Outcome aborted(AdditionalSense asc, int field) {
            return Outcome.checkCondition(SenseData.of(SenseKey.COPY_ABORTED, asc).withSenseKeySpecific(field));
        }

        private void finish(Outcome outcome) {
            addressed.copyManager().end(task.nexus(), list.listId, op, outcome.isGood());
            outcome.complete(task, listLength);
        }
    }

    /**
     * One block device to block device segment, resolved.
     *
     * @param descriptor the segment descriptor's offset in the parameter list
     */
    private record Segment(int descriptor, LogicalUnit source, long sourceLba, LogicalUnit destination,
                           long destinationLba, long bytes) {

        /** Whether the destination overlaps the source at a higher address, so the copy must run from the end. */
        boolean backwards() {
            long srcStart = sourceLba * source.blockSize();
            long dstStart = destinationLba * destination.blockSize();
            return source == destination && dstStart > srcStart && dstStart < srcStart + bytes;
        }
    }

    /** Marks a write failure, so that a medium error maps to WRITE ERROR rather than UNRECOVERED READ ERROR. */
    private static final class WriteFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WriteFailure(Throwable cause) {
            super(null, cause, false, false);
        }
    }

    // ---- RECEIVE COPY RESULTS ----

    /**
     * RECEIVE COPY RESULTS with COPY STATUS (LID1): the status of the sending nexus's EXTENDED COPY with the LIST
     * IDENTIFIER in byte 2, running or held; INVALID FIELD IN CDB when there is none.
     */
    static void copyStatus(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        int listId = Cdb.u8(cdb, 2);
        CopyManager.Operation op = lu.copyManager().get(task.nexus(), listId);
        if (op == null) {
            Sense.fail(task, Sense.invalidField(2, -1));
            return;
        }
        long bytes = op.bytesTransferred();
        int units = 0;
        while (bytes > 0xFFFF_FFFFL) { // TRANSFER COUNT UNITS: bytes, KiB, MiB, ... (powers of 2^10)
            bytes >>>= 10;
            units++;
        }
        byte[] d = new byte[12];
        Bytes.putU32(d, 0, 8);                             // AVAILABLE DATA
        d[4] = (byte) op.status();                         // HDD 0, COPY MANAGER STATUS
        Bytes.putU16(d, 5, Math.min(op.segmentsProcessed(), 0xFFFF));
        d[7] = (byte) units;                               // TRANSFER COUNT UNITS
        Bytes.putU32(d, 8, bytes);                         // TRANSFER COUNT
        Responses.data(task, d, Cdb.u32(cdb, 10));
    }

    /** RECEIVE COPY RESULTS with OPERATING PARAMETERS: the limits this copy manager enforces. */
    static void operatingParameters(ScsiTask task, LogicalUnit lu) {
        byte[] d = new byte[44 + 2];
        Bytes.putU32(d, 0, d.length - 4L);                        // AVAILABLE DATA
        d[4] = 0x01;                                              // SNLID: LIST ID USAGE 11b is supported
        Bytes.putU16(d, 8, MAX_TARGET_DESCRIPTORS);               // MAXIMUM CSCD DESCRIPTOR COUNT
        Bytes.putU16(d, 10, MAX_SEGMENT_DESCRIPTORS);             // MAXIMUM SEGMENT DESCRIPTOR COUNT
        Bytes.putU32(d, 12, MAX_DESCRIPTOR_LIST_LENGTH);          // MAXIMUM DESCRIPTOR LIST LENGTH
        Bytes.putU32(d, 16, 0xFFFFL * lu.blockSize());            // MAXIMUM SEGMENT LENGTH: 65535 blocks
        // bytes 20-23 MAXIMUM INLINE DATA LENGTH 0, 24-27 HELD DATA LIMIT 0 (no RECEIVE DATA),
        // 28-31 MAXIMUM STREAM DEVICE TRANSFER SIZE 0 (no stream devices)
        Bytes.putU16(d, 34, CopyManager.MAX_CONCURRENT);          // TOTAL CONCURRENT COPIES
        d[36] = (byte) CopyManager.MAX_CONCURRENT;                // MAXIMUM CONCURRENT COPIES
        d[37] = (byte) Integer.numberOfTrailingZeros(lu.blockSize()); // DATA SEGMENT GRANULARITY (log2)
        // bytes 38, 39: INLINE DATA GRANULARITY, HELD DATA GRANULARITY 0
        d[43] = 2;                                                // IMPLEMENTED DESCRIPTOR LIST LENGTH
        d[44] = BLOCK_TO_BLOCK;
        d[45] = (byte) IDENTIFICATION_DESCRIPTOR;
        Responses.data(task, d, Cdb.u32(task.cdb(), 10));
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    private static long u64(byte[] b, int off) {
        return (u32(b, off) << 32) | u32(b, off + 4);
    }
}
