package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A {@link ScsiTask} for handler tests: records the completion, serves Data-Out from a byte array and keeps the
 * Data-In buffer. Contract violations (completing twice, asking for more data than expected, allocating twice)
 * are recorded and reported by {@link #violations()}.
 */
final class TestTask implements ScsiTask {

    static final ItNexus NEXUS = new ItNexus("iqn.1993-08.org.debian:01:abc,i,0x00023d000001",
            "iqn.2026-11.io.iscsi4j:demo,t,0x0001", 1, 1);

    private final byte[] cdb;
    private long lunField = Lun.encode(0);
    private ItNexus nexus = NEXUS;
    private long expected = -1;
    private byte[] dataOut;
    private Throwable dataOutFailure;
    private RuntimeException allocationFailure;

    private final List<String> violations = new ArrayList<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private ByteBuffer dataIn;
    private int dataInAllocations;
    private int dataOutRequested = -1;
    private volatile int completions;
    private volatile ScsiStatus status;
    private volatile SenseData sense;
    private volatile int dataLength = -1;

    private int background;
    /** Calls of {@link #retainBuffers} and runs of the actions it returned. */
    private int buffersRetained;
    private int buffersReleased;

    private TestTask(byte[] cdb) {
        this.cdb = cdb;
    }

    /** A task carrying {@code cdb} (each int is one byte) for LUN 0. */
    static TestTask of(int... cdb) {
        byte[] b = new byte[cdb.length];
        for (int i = 0; i < cdb.length; i++) {
            b[i] = (byte) cdb[i];
        }
        return new TestTask(b);
    }

    static TestTask of(byte[] cdb) {
        return new TestTask(cdb.clone());
    }

    TestTask lun(int lun) {
        this.lunField = Lun.encode(lun);
        return this;
    }

    TestTask lunField(long field) {
        this.lunField = field;
        return this;
    }

    TestTask nexus(ItNexus n) {
        this.nexus = n;
        return this;
    }

    /** Sets the expected transfer length; by default the Data-Out length, or 16 MiB without Data-Out. */
    TestTask expected(long bytes) {
        this.expected = bytes;
        return this;
    }

    TestTask dataOut(byte[] data) {
        this.dataOut = data.clone();
        return this;
    }

    TestTask dataOutFailure(Throwable failure) {
        this.dataOutFailure = failure;
        return this;
    }

    /** Makes {@link #allocateDataIn} throw {@code e}, as a transport out of buffers might. */
    TestTask allocationFailure(RuntimeException e) {
        this.allocationFailure = e;
        return this;
    }

    // --- ScsiTask ---

    @Override
    public ByteBuffer cdb() {
        return ByteBuffer.wrap(cdb).asReadOnlyBuffer();
    }

    @Override
    public long lun() {
        return lunField;
    }

    @Override
    public ItNexus nexus() {
        return nexus;
    }

    @Override
    public TaskAttribute attribute() {
        return TaskAttribute.SIMPLE;
    }

    @Override
    public boolean isWrite() {
        return dataOut != null;
    }

    @Override
    public boolean isRead() {
        return dataOut == null;
    }

    @Override
    public long expectedTransferLength() {
        if (expected >= 0) {
            return expected;
        }
        return dataOut != null ? dataOut.length : 16 << 20;
    }

    @Override
    public synchronized ByteBuffer allocateDataIn(int length) {
        if (++dataInAllocations > 1) {
            violations.add("allocateDataIn called twice");
        }
        if (length > expectedTransferLength()) {
            violations.add("allocateDataIn(" + length + ") exceeds expected " + expectedTransferLength());
        }
        if (allocationFailure != null) {
            throw allocationFailure;
        }
        // Capacity beyond the limit, as a pooled transport buffer may have.
        dataIn = ByteBuffer.allocate(length + 7);
        dataIn.limit(length);
        return dataIn;
    }

    @Override
    public void receiveDataOut(int length, BiConsumer<? super ByteBuffer, ? super Throwable> whenReceived) {
        ByteBuffer data = null;
        Throwable failure;
        synchronized (this) {
            if (dataOutRequested >= 0) {
                violations.add("receiveDataOut called twice");
            }
            dataOutRequested = length;
            if (length > expectedTransferLength()) {
                violations.add("receiveDataOut(" + length + ") exceeds expected " + expectedTransferLength());
            }
            failure = dataOutFailure;
            if (failure == null && (dataOut == null || length > dataOut.length)) {
                violations.add("receiveDataOut(" + length + ") but the test supplied "
                        + (dataOut == null ? "no" : dataOut.length) + " bytes");
                failure = new IllegalStateException("no Data-Out");
            }
            if (failure == null) {
                data = ByteBuffer.wrap(Arrays.copyOf(dataOut, length));
            }
        }
        whenReceived.accept(data, failure); // outside the lock, as a transport calls it
    }

    @Override
    public synchronized void complete(ScsiStatus status, SenseData sense, int dataLength) {
        if (++completions > 1) {
            violations.add("completed twice: " + status + " " + sense);
            return;
        }
        this.status = status;
        this.sense = sense;
        this.dataLength = dataLength;
        done.complete(null);
    }

    @Override
    public synchronized void continuesInBackground() {
        if (completions > 0) {
            violations.add("continuesInBackground after complete");
        }
        background++;
    }

    @Override
    public synchronized Runnable retainBuffers() {
        if (completions > 0) {
            violations.add("retainBuffers after complete");
        }
        buffersRetained++;
        boolean[] ran = new boolean[1];
        return () -> {
            synchronized (this) {
                if (ran[0]) {
                    violations.add("retained buffers released twice");
                }
                ran[0] = true;
                buffersReleased++;
            }
        };
    }

    // --- observations ---

    /** How many {@link #retainBuffers} holds are not released yet. */
    synchronized int buffersHeld() {
        return buffersRetained - buffersReleased;
    }

    /** How often {@link #retainBuffers} was called. */
    synchronized int buffersRetained() {
        return buffersRetained;
    }

    /** How often {@link #continuesInBackground} was called. */
    synchronized int backgroundCalls() {
        return background;
    }

    /** Waits up to 5 seconds for the completion. */
    TestTask await() throws Exception {
        done.get(5, TimeUnit.SECONDS);
        return this;
    }

    boolean isCompleted() {
        return completions > 0;
    }

    int completions() {
        return completions;
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** Status and sense in symbolic form: {@code GOOD} or {@code CHECK_CONDITION ILLEGAL_REQUEST / ...}. */
    String outcome() {
        if (status == null) {
            return "<not completed>";
        }
        return sense == null ? status.toString()
                : status + " " + sense.key() + " / " + sense.additionalSense();
    }

    ScsiStatus status() {
        return status;
    }

    SenseData sense() {
        return sense;
    }

    int dataLength() {
        return dataLength;
    }

    /** Whether {@link #allocateDataIn} was called. */
    synchronized boolean dataInAllocated() {
        return dataIn != null;
    }

    /** Bytes of Data-Out the command asked for, or -1 when it asked for none. */
    synchronized int dataOutRequested() {
        return dataOutRequested;
    }

    /**
     * The Data-In the transport would send: {@code min(dataLength, allocated)} bytes from the buffer's start
     * (requires position 0, as the transport expects).
     */
    synchronized byte[] dataIn() {
        if (dataIn == null) {
            return new byte[0];
        }
        if (dataIn.position() != 0) {
            violations.add("Data-In buffer position left at " + dataIn.position());
        }
        int n = Math.min(Math.max(dataLength, 0), dataIn.limit());
        byte[] b = new byte[n];
        dataIn.get(0, b);
        return b;
    }

    /** The sense-key specific bytes (15 to 17) of the fixed-format sense data. */
    int senseKeySpecific() {
        byte[] b = sense.toBytes();
        return ((b[15] & 0xFF) << 16) | ((b[16] & 0xFF) << 8) | (b[17] & 0xFF);
    }
}
