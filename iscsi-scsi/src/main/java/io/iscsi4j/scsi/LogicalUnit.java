package io.iscsi4j.scsi;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.BackstoreCapability;
import io.iscsi4j.backstore.SharedState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SCSI direct-access block device (SBC-4) over a {@link Backstore}: what one LUN of a target exposes.
 *
 * <p>A logical unit holds the device identity the initiator sees (vendor, product, revision, unit serial number
 * and the NAA designator derived from it), the I/O mode (read-only; write-back or write-through) and the
 * {@link Executor} every backstore call runs on. Serve it through a {@link ScsiDispatcher}.
 *
 * <p><b>Identity.</b> The unit serial number (VPD page 80h) must be stable across restarts for initiators
 * (multipath, udev, file systems by id) to recognise the device; VPD page 83h carries an NAA IEEE Registered
 * Extended designator (NAA 6) whose 100 vendor-specific bits are the first bits of the SHA-256 hash of the serial,
 * under the fixed company identifier 4A15C5h (a locally administered IEEE CID-format value,
 * not an assigned OUI). Equal serials give equal designators, so give every logical unit its own serial.
 *
 * <p><b>Caching.</b> In write-back mode (WCE=1 in the caching mode page) a GOOD write may sit in the backstore's
 * volatile cache until SYNCHRONIZE CACHE or a write with FUA. In write-through mode (WCE=0) every write is sent
 * to the backstore with {@code fua = true}, so it is durable before GOOD status. An initiator may switch a logical
 * unit built write-back to write-through and back with MODE SELECT; one built write-through stays write-through
 * (WCE is not changeable).
 *
 * <p><b>Limits.</b> READ and WRITE move at most {@link #maxTransferBlocks()} blocks per command
 * (8 MiB), as VPD page B0h reports; longer commands get ILLEGAL REQUEST /
 * INVALID FIELD IN CDB.
 *
 * <p><b>Geometry.</b> The logical block size is the backstore's. The {@linkplain Builder#physicalBlockSize physical
 * block size} (default: the logical block size) is what READ CAPACITY (16) reports as LOGICAL BLOCKS PER PHYSICAL
 * BLOCK EXPONENT, with the first physical block starting at LBA 0 (LOWEST ALIGNED LOGICAL BLOCK ADDRESS 0), and what
 * VPD page B0h reports as OPTIMAL TRANSFER LENGTH GRANULARITY and, where UNMAP is served, OPTIMAL UNMAP GRANULARITY.
 * It is advice to initiators (align and size I/O to it) and changes no command's behaviour: unaligned reads, writes
 * and unmaps are served exactly as aligned ones.
 *
 * <p><b>Optional features</b> follow the backstore's {@link Backstore#capabilities()}: UNMAP, WRITE SAME with the
 * UNMAP bit and SANITIZE BLOCK ERASE need {@link BackstoreCapability#UNMAP} (the logical unit is then reported
 * thin-provisioned, LBPME=1, LBPRZ=1), WRITE ATOMIC (16) needs {@link BackstoreCapability#WRITE_ATOMIC}.
 *
 * <p><b>Atomicity.</b> Every command that reads or writes blocks holds a claim on its LBA range while its
 * backstore calls run: shared for READ, WRITE, VERIFY, WRITE SAME, UNMAP; exclusive for COMPARE AND WRITE, ORWRITE,
 * WRITE ATOMIC, WRITE AND VERIFY and SANITIZE (the whole medium). Overlapping exclusive claims wait for each other
 * in arrival order without blocking a thread, so those commands are atomic with respect to every other command of
 * this logical unit on any backstore; storage shared with writers outside this target must additionally make
 * {@link Backstore#compareAndWrite} atomic itself.
 *
 * <p><b>Mode parameters.</b> MODE SELECT may change the caching page's WCE bit (of a logical unit built write-back
 * only) and the control page's SWP (software write protect) and D_SENSE (descriptor-format sense data) bits; the
 * changes apply to every I_T nexus and are not saved.
 *
 * <p><b>Backstore timeout</b> (optional, off by default; {@link Builder#backstoreTimeout}): a backstore call that
 * does not complete in time ends its command with NOT READY and makes the whole logical unit NOT READY until the call
 * has really completed, while the call keeps its blocks claimed and its buffers alive, so nothing written later can
 * overtake it.
 * <p><b>Task set.</b> One task set serves every I_T nexus (TST 000b); the transport starts its tasks in the order their
 * task attributes ask for (SIMPLE, ORDERED, HEAD OF QUEUE) through the logical unit's {@link #taskOrdering()}.
 *
 * <p>Thread-safe; apart from {@link #close()} only the mode parameters change after building. The block count is
 * read from the backstore on each use, so a backstore that grows is reported with its new capacity.
 *
 * @since 0.1
 */
public final class LogicalUnit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogicalUnit.class);

    /** Most bytes one READ or WRITE command transfers (8 MiB). */
    static final int MAX_TRANSFER_BYTES = 8 * 1024 * 1024;
    /** Preferred bytes per command reported in VPD B0h (1 MiB); also the largest physical block size. */
    static final int OPTIMAL_TRANSFER_BYTES = 1024 * 1024;
    /** IEEE company identifier in the NAA designator (24 bits). */
    static final int NAA_COMPANY_ID = 0x4A15C5;

    static final String DEFAULT_VENDOR = "ISCSI4J";
    static final String DEFAULT_PRODUCT = "VIRTUAL-DISK";
    static final String DEFAULT_REVISION = "0001";
    private static final int MAX_SERIAL_LENGTH = 128;
    /** How long another gateway has to answer an event by default. */
    static final Duration DEFAULT_PEER_TIMEOUT = Duration.ofSeconds(10);

    private final Backstore backstore;
    private final String serial;
    private final boolean readOnly;
    private final boolean defaultWriteBack;
    private volatile boolean writeBack;
    private volatile boolean softwareWriteProtect;
    private volatile boolean descriptorSense;
    private final LbaLocks locks = new LbaLocks();
    private final UnitAttentions unitAttentions = new UnitAttentions();
    private final Reservations reservations = new Reservations(unitAttentions);
    private final CopyManager copyManager = new CopyManager();
    private final SanitizeState sanitizeState = new SanitizeState();
    private final String vendor;
    private final String product;
    private final String revision;
    /** VPD B1h MEDIUM ROTATION RATE: 0 not reported, 1 non-rotating, 401h to FFFEh revolutions per minute. */
    private final int rotationRate;
    private final int maxTransferBytes;
    private final int optimalTransferBytes;
    /** VPD B0h MAXIMUM UNMAP LBA COUNT, enforced by UNMAP: 0xFFFFFFFF for no limit. */
    private final long maxUnmapBlocks;
    /** Allocated bytes at which initiators are told the soft threshold is reached, 0 for none. */
    private final long softThresholdBytes;
    /** {@link System#nanoTime()} before which the soft threshold is not checked again. */
    private volatile long nextThresholdCheck;
    /** Whether the crossing was reported and the usage has not fallen below the threshold since. */
    private volatile boolean thresholdReported;
    /** Features configured off (read-only set). */
    private final java.util.Set<LunFeature> disabled;
    private final Executor executor;
    /** The backstore declared {@link BackstoreCapability#NON_BLOCKING} (read once, at build time). */
    private final boolean nonBlocking;
    private final int blockSize;
    private final int physicalBlockSize;
    private final byte[] naaDesignator;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final UnitStatistics statistics = new UnitStatistics();
    /** The backstore timeout, or {@code null} when calls are not timed. */
    private final BackstoreTimeouts backstoreTimeouts;
    private final TaskOrdering taskOrdering = new TaskOrdering();
    /** The other gateways serving this logical unit, or {@code null} when it is served here alone. */
    private final Peers peers;

    private LogicalUnit(Builder b, int blockSize, int physicalBlockSize, String serial) {
        this.backstore = b.backstore;
        this.serial = serial;
        this.readOnly = b.readOnly || b.backstore.isReadOnly();
        this.defaultWriteBack = b.writeBack != null ? b.writeBack : b.backstore.hasVolatileCache();
        this.writeBack = defaultWriteBack;
        this.vendor = b.vendor;
        this.product = b.product;
        this.revision = b.revision;
        this.rotationRate = b.rotationRate;
        this.maxTransferBytes = Math.max(blockSize, b.maxTransferBytes / blockSize * blockSize);
        this.optimalTransferBytes = Math.max(blockSize, Math.min(b.optimalTransferBytes, maxTransferBytes));
        this.maxUnmapBlocks = b.maxUnmapBlocks;
        this.nextThresholdCheck = System.nanoTime();
        this.softThresholdBytes = b.softThresholdPercent == 0 ? 0
                : Math.max(1, b.backstore.blockCount() * blockSize / 100 * b.softThresholdPercent);
        this.disabled = b.disabled.isEmpty() ? java.util.Set.of()
                : java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(b.disabled));
        this.executor = b.executor != null ? b.executor : DefaultExecutor.INSTANCE;
        this.nonBlocking = b.backstore.capabilities().contains(BackstoreCapability.NON_BLOCKING);
        this.blockSize = blockSize;
        this.physicalBlockSize = physicalBlockSize;
        this.naaDesignator = naaDesignator(serial);
        this.backstoreTimeouts = b.backstoreTimeout.isZero() ? null : new BackstoreTimeouts(b.backstoreTimeout, serial);
        this.peers = b.sharedState == null ? null : new Peers(b.sharedState, b.peerTimeout, this, b.taskFence);
        b.backstore.onCapacityChange(this::capacityChanged);
    }

    /** Starts sharing with the other gateways: answers their events, then reads the shared state. */
    private void joinPeers(Duration timeout, TargetPortGroups portGroups) {
        peers.listen();
        reservations.persistent().share(peers);
        try {
            if (peers.soleMember()) {
                // Only this logical unit can hold the state: starting is a power on.
                reservations.persistent().powerOn().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                peers.powerOn().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            reservations.persistent().refresh().toCompletableFuture()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            peers.readModeParameters().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (portGroups != null) {
                peers.sharePortGroups(portGroups).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                // No I_T nexus through this gateway exists yet: an SPC-2 reservation one held before it restarted ends.
                reservations.holderGone(null, String.format(",t,0x%04x", portGroups.id())).toCompletableFuture()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the shared state of logical unit " + serial, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading the shared state of logical unit " + serial + " failed: "
                    + (e.getCause() != null ? e.getCause() : e), e);
        }
    }

    /**
     * The effects of a LOGICAL UNIT RESET (or a target reset) on this gateway, after the transport ended the tasks:
     * every I_T nexus gets {@code condition} (BUS DEVICE RESET FUNCTION OCCURRED for a logical unit reset, SAM-5
     * §7.8; POWER ON, RESET, OR BUS DEVICE RESET OCCURRED for a target reset), an SPC-2 reservation ends, held EXTENDED COPY statuses are
     * discarded (running copies stop at their next chunk). Persistent reservations stay.
     */
    void resetHere(AdditionalSense condition) {
        reservations.reset();
        copyManager.reset();
        unitAttentions.establishForAll(condition);
    }

    /**
     * A LOGICAL UNIT RESET received on this gateway reaches the other gateways serving the unit: each aborts the
     * unit's tasks and waits for them to end, then applies the reset's effects. The stage completes once every other
     * gateway has done so or has been fenced ({@link io.iscsi4j.backstore.SharedState#fence}), at once when the unit
     * is not shared, and exceptionally when a silent gateway could not be fenced.
     *
     * @return the stage
     * @since 0.2
     */
    public CompletionStage<Void> resetOtherGateways() {
        return peers == null ? CompletableFuture.completedFuture(null)
                : reservations.reset().thenCompose(v -> peers.announce(Peers.Event.LOGICAL_UNIT_RESET));
    }

    /**
     * A TARGET WARM RESET or TARGET COLD RESET received on this gateway reaches the other gateways serving the unit
     * (one SCSI target device, whose target ports they are): each aborts the unit's tasks, waits for them to end and
     * applies the reset's effects with POWER ON, RESET, OR BUS DEVICE RESET OCCURRED. Completes as
     * {@link #resetOtherGateways()} does. The other gateways' sessions stay logged in, a cold reset's included.
     *
     * @return the stage
     * @since 0.2
     */
    public CompletionStage<Void> targetResetOtherGateways() {
        return peers == null ? CompletableFuture.completedFuture(null)
                : reservations.reset().thenCompose(v -> peers.announce(Peers.Event.TARGET_RESET));
    }

    /** {@return whether this logical unit shares its state with other gateways} */
    public boolean isShared() {
        return peers != null;
    }

    /**
     * Starts building a logical unit over {@code backstore}. The logical unit takes ownership: {@link #close()}
     * closes the backstore.
     *
     * @param backstore the storage
     * @return a builder
     */
    public static Builder builder(Backstore backstore) {
        return new Builder(Objects.requireNonNull(backstore, "backstore"));
    }

    /** {@return the logical block size in bytes, fixed when the logical unit was built} */
    public int blockSize() {
        return blockSize;
    }

    /**
     * The physical block size in bytes: a power-of-two multiple of {@link #blockSize()}, equal to it unless
     * {@link Builder#physicalBlockSize} set it. The first physical block starts at LBA 0.
     *
     * @return the physical block size in bytes
     * @since 0.1
     */
    public int physicalBlockSize() {
        return physicalBlockSize;
    }

    /** Logical blocks per physical block (a power of two, at least 1). */
    int logicalBlocksPerPhysicalBlock() {
        return physicalBlockSize / blockSize;
    }

    /** READ CAPACITY (16) LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT: log2 of the logical blocks per physical block. */
    int logicalBlocksPerPhysicalBlockExponent() {
        return Integer.numberOfTrailingZeros(logicalBlocksPerPhysicalBlock());
    }

    /** {@return the number of logical blocks, as the backstore reports it now} */
    public long blockCount() {
        return backstore.blockCount();
    }

    /** {@return the counters of the commands this logical unit answered; the transport records into them} */
    public UnitStatistics statistics() {
        return statistics;
    }

    /**
     * The order in which the tasks of this logical unit's task set may start, by their task attributes: the
     * transport admits every task there before handing it to a {@link ScsiDispatcher} and ends it there.
     *
     * @return the task ordering of this logical unit
     * @since 0.1
     */
    public TaskOrdering taskOrdering() {
        return taskOrdering;
    }

    /** {@return the backstore this logical unit serves} */
    public Backstore backstore() {
        return backstore;
    }

    /** {@return the unit serial number (VPD page 80h), printable ASCII} */
    public String serial() {
        return serial;
    }

    /** {@return whether writes are refused with DATA PROTECT / WRITE PROTECTED (configured or the backstore's)} */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Whether the write cache is enabled (WCE=1), as configured or last set by MODE SELECT (which can enable it only
     * on a logical unit built write-back); otherwise every write is forced unit access.
     *
     * @return whether the write cache is enabled
     */
    public boolean isWriteBack() {
        return writeBack;
    }

    /**
     * Whether commands that change the medium are refused now: the logical unit is read-only, or an initiator set
     * the control mode page's SWP (software write protect) bit.
     *
     * @return whether medium-changing commands are refused
     */
    public boolean isWriteProtected() {
        return readOnly || softwareWriteProtect;
    }

    /** {@return the T10 vendor identification (INQUIRY bytes 8 to 15, without padding)} */
    public String vendor() {
        return vendor;
    }

    /** {@return the product identification (INQUIRY bytes 16 to 31, without padding)} */
    public String product() {
        return product;
    }

    /** {@return the product revision level (INQUIRY bytes 32 to 35, without padding)} */
    public String revision() {
        return revision;
    }

    /** {@return the most logical blocks one READ or WRITE command may transfer (VPD B0h MAXIMUM TRANSFER LENGTH)} */
    public int maxTransferBlocks() {
        return maxTransferBytes / blockSize;
    }

    /** {@return the transfer length initiators should use per command, in blocks (VPD B0h OPTIMAL TRANSFER LENGTH)} */
    public int optimalTransferBlocks() {
        return optimalTransferBytes / blockSize;
    }

    /** {@return the most blocks one UNMAP may deallocate in all (VPD B0h), {@code 0xFFFFFFFF} for no limit} */
    public long maxUnmapBlocks() {
        return maxUnmapBlocks;
    }

    /** How often the allocated space is compared with the soft threshold at most. */
    private static final long THRESHOLD_CHECK_NANOS = 1_000_000_000L;

    /**
     * On the command path: at most once a second, compares the backstore's allocated space with the soft threshold
     * and establishes THIN PROVISIONING SOFT THRESHOLD REACHED for every I_T nexus when it crossed it; again only
     * after the space fell below it (UNMAP). One field read per command without a threshold.
     */
    void checkSoftThreshold() {
        if (softThresholdBytes == 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - nextThresholdCheck < 0) {
            return;
        }
        nextThresholdCheck = now + THRESHOLD_CHECK_NANOS;
        long allocated = backstore.allocatedBytes();
        if (allocated < 0) {
            return;
        }
        boolean over = allocated >= softThresholdBytes;
        if (over && !thresholdReported) {
            thresholdReported = true;
            LOG.warn("logical unit {}: {} of {} bytes allocated, the soft threshold ({} bytes); telling the"
                    + " initiators", serial, allocated, blockCount() * blockSize, softThresholdBytes);
            unitAttentions.establishForAll(AdditionalSense.THIN_PROVISIONING_SOFT_THRESHOLD_REACHED);
        } else if (!over) {
            thresholdReported = false;
        }
    }

    /** {@return the allocated bytes at which the soft threshold is reached, 0 when there is none} */
    long softThresholdBytes() {
        return softThresholdBytes;
    }

    /** {@return VPD B1h MEDIUM ROTATION RATE: 0 not reported, 1 non-rotating, else revolutions per minute} */
    public int rotationRate() {
        return rotationRate;
    }

    /**
     * Whether an optional feature is served: not {@linkplain Builder#disable disabled}, and for {@link
     * LunFeature#UNMAP} the backstore can deallocate.
     *
     * @param feature the feature
     * @return whether its commands run
     */
    public boolean supports(LunFeature feature) {
        if (disabled.contains(feature)) {
            return false;
        }
        return feature != LunFeature.UNMAP || backstore.capabilities().contains(BackstoreCapability.UNMAP);
    }

    /**
     * The most blocks one COMPARE AND WRITE may compare and write (VPD B0h MAXIMUM COMPARE AND WRITE LENGTH): 255,
     * or fewer when twice that many blocks would exceed the maximum transfer length.
     */
    int maxCompareAndWriteBlocks() {
        return supports(LunFeature.COMPARE_AND_WRITE) ? Math.min(255, maxTransferBlocks() / 2) : 0;
    }

    Executor executor() {
        return executor;
    }

    /**
     * How long one backstore call may take before its command ends with NOT READY and the logical unit becomes NOT
     * READY until the call completes; see {@link Builder#backstoreTimeout}.
     *
     * @return the timeout, or {@link Duration#ZERO} when backstore calls are not timed
     * @since 0.1
     */
    public Duration backstoreTimeout() {
        return backstoreTimeouts == null ? Duration.ZERO : backstoreTimeouts.timeout();
    }

    /** The backstore timeout's state, or {@code null} when backstore calls are not timed. */
    BackstoreTimeouts backstoreTimeouts() {
        return backstoreTimeouts;
    }

    /** Whether a backstore call that exceeded the backstore timeout is still running: every command is refused. */
    boolean notReadyForStalledCall() {
        BackstoreTimeouts t = backstoreTimeouts;
        return t != null && t.notReady();
    }

    /**
     * Whether small plain reads and writes may call the backstore on the thread that runs the command instead of
     * the executor: the backstore declared {@link BackstoreCapability#NON_BLOCKING}.
     */
    boolean nonBlocking() {
        return nonBlocking;
    }

    UnitAttentions unitAttentions() {
        return unitAttentions;
    }

    /** The capacity changed (underneath, or as the application says): every I_T nexus gets CAPACITY DATA HAS CHANGED. */
    void capacityChanged() {
        unitAttentions.establishForAll(AdditionalSense.CAPACITY_DATA_HAS_CHANGED);
    }

    LbaLocks locks() {
        return locks;
    }

    /** The EXTENDED COPY commands this logical unit runs or holds the status of, as a copy manager. */
    CopyManager copyManager() {
        return copyManager;
    }

    /** The SPC-2 and persistent reservations of this logical unit. */
    Reservations reservations() {
        return reservations;
    }

    /** Whether the backstore can deallocate blocks: UNMAP, WRITE SAME with UNMAP, SANITIZE BLOCK ERASE. */
    boolean supportsUnmap() {
        return supports(LunFeature.UNMAP);
    }

    /** Whether a thin-provisioned logical unit is reported (VPD B2h 010b, LBPME=1): thin storage that can unmap. */
    boolean isThinProvisioned() {
        return supportsUnmap() && backstore.capabilities().contains(BackstoreCapability.THIN_PROVISIONING);
    }

    /** Whether WRITE ATOMIC (16) is served. */
    boolean supportsAtomicWrite() {
        return backstore.capabilities().contains(BackstoreCapability.WRITE_ATOMIC);
    }

    /** WCE as configured (the caching page's default value). */
    boolean defaultWriteBack() {
        return defaultWriteBack;
    }

    boolean softwareWriteProtect() {
        return softwareWriteProtect;
    }

    boolean descriptorSense() {
        return descriptorSense;
    }

    /** Whether a SANITIZE operation is in progress (see {@link Sanitize}). */
    boolean sanitizing() {
        return sanitizeState.phase() == SanitizeState.Phase.RUNNING;
    }

    /** The sanitize state: idle, an operation in progress, or the failure mode (see {@link Sanitize}). */
    SanitizeState sanitizeState() {
        return sanitizeState;
    }

    /** Whether {@link #close()} was called. */
    boolean isClosed() {
        return closed.get();
    }

    /**
     * Applies the changeable mode parameters MODE SELECT accepted.
     *
     * @throws IllegalArgumentException when {@code writeBack} would enable the write cache of a logical unit built
     *         write-through (MODE SELECT refuses that before calling)
     */
    void setModeParameters(boolean writeBack, boolean softwareWriteProtect, boolean descriptorSense) {
        if (writeBack && !defaultWriteBack) {
            throw new IllegalArgumentException("the write cache of a write-through logical unit cannot be enabled");
        }
        this.writeBack = writeBack;
        this.softwareWriteProtect = softwareWriteProtect;
        this.descriptorSense = descriptorSense;
    }

    /**
     * Mode parameters another gateway set: applied as they are, but a write cache this unit was built without stays
     * off.
     */
    void applySharedModeParameters(boolean writeBack, boolean softwareWriteProtect, boolean descriptorSense) {
        this.writeBack = writeBack && defaultWriteBack;
        this.softwareWriteProtect = softwareWriteProtect;
        this.descriptorSense = descriptorSense;
    }

    /**
     * After MODE SELECT changed the mode parameters here: when shared, every other gateway applies them too before
     * the stage completes.
     */
    CompletionStage<Void> shareModeParameters() {
        return peers == null ? CompletableFuture.completedFuture(null)
                : peers.publishModeParameters(writeBack, softwareWriteProtect, descriptorSense);
    }

    /** The 16-byte NAA 6 designator (VPD 83h); the caller must not modify it. */
    byte[] naaDesignator() {
        return naaDesignator;
    }

    /**
     * Closes the backstore. Idempotent: only the first call closes it. Call when no command is in flight. With a
     * backstore timeout, backstore calls that exceeded it may still be running (their commands have ended): the timer
     * stops, a WARN line counts those calls, and the backstore is closed all the same; they can no longer affect a
     * command.
     */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            if (peers != null) {
                peers.close();
            }
            if (backstoreTimeouts != null) {
                int stalled = backstoreTimeouts.close();
                if (stalled > 0) {
                    LOG.warn("closing logical unit {} with {} backstore call(s) still running after the backstore"
                            + " timeout", serial, stalled);
                }
            }
            backstore.close();
        }
    }

    @Override
    public String toString() {
        return "LogicalUnit[serial=" + serial + ", blockSize=" + blockSize + ", physicalBlockSize="
                + physicalBlockSize + ", readOnly=" + readOnly
                + ", writeBack=" + writeBack
                + (backstoreTimeouts == null ? "" : ", backstoreTimeout=" + backstoreTimeouts.timeout()) + "]";
    }

    private static byte[] naaDesignator(String serial) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(serial.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        long h0 = 0;
        long h1 = 0;
        for (int i = 0; i < 8; i++) {
            h0 = (h0 << 8) | (hash[i] & 0xFF);
            h1 = (h1 << 8) | (hash[8 + i] & 0xFF);
        }
        // SPC-5 §7.7.6.6.5: NAA (4 bits) = 6, IEEE COMPANY_ID (24 bits), VENDOR SPECIFIC IDENTIFIER (36 bits),
        // VENDOR SPECIFIC IDENTIFIER EXTENSION (64 bits).
        long high = (6L << 60) | ((long) NAA_COMPANY_ID << 36) | (h0 >>> 28);
        byte[] d = new byte[16];
        Bytes.putU64(d, 0, high);
        Bytes.putU64(d, 8, h1);
        return d;
    }

    /**
     * Builds a {@link LogicalUnit}. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {

        private final Backstore backstore;
        private String serial;
        private boolean readOnly;
        private Boolean writeBack;
        private String vendor = DEFAULT_VENDOR;
        private String product = DEFAULT_PRODUCT;
        private String revision = DEFAULT_REVISION;
        private int rotationRate = 1;
        private int maxTransferBytes = MAX_TRANSFER_BYTES;
        private int optimalTransferBytes = OPTIMAL_TRANSFER_BYTES;
        private long maxUnmapBlocks = 0xFFFF_FFFFL;
        private java.util.Set<LunFeature> disabled = java.util.EnumSet.noneOf(LunFeature.class);
        private int softThresholdPercent;
        private Executor executor;
        private int physicalBlockSize;
        private Duration backstoreTimeout = Duration.ZERO;
        private SharedState sharedState;
        private Duration peerTimeout = DEFAULT_PEER_TIMEOUT;
        private UnitTaskFence taskFence = UnitTaskFence.NONE;
        private TargetPortGroups portGroups;

        private Builder(Backstore backstore) {
            this.backstore = backstore;
        }

        /**
         * Sets the unit serial number: printable ASCII, 1 to 128 characters, stable across restarts and unique per
         * logical unit (the NAA designator is derived from it). Without one, {@link #build()} takes the backstore's
         * {@link Backstore#unitSerialNumber()}, and when it has none picks a random serial (32 hex digits), which
         * changes the device's identity on every start: set one for any storage an initiator should recognise
         * again.
         *
         * @param serial the serial
         * @return this builder
         */
        public Builder serial(String serial) {
            this.serial = Objects.requireNonNull(serial, "serial");
            return this;
        }

        /**
         * Refuses writes with DATA PROTECT / WRITE PROTECTED. A backstore whose {@link Backstore#isReadOnly()} is
         * {@code true} is read-only regardless. Default {@code false}.
         *
         * @param readOnly whether writes are refused
         * @return this builder
         */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /**
         * Write-back ({@code true}: WCE=1, durability on SYNCHRONIZE CACHE or FUA) or write-through
         * ({@code false}: WCE=0, every write is passed to the backstore with FUA). Default:
         * {@link Backstore#hasVolatileCache()}. Initiators may turn the write cache of a write-back logical unit off
         * (and on again) with MODE SELECT; a write-through logical unit reports WCE as not changeable and refuses
         * MODE SELECT with WCE=1.
         *
         * @param writeBack whether the write cache is enabled
         * @return this builder
         */
        public Builder writeBack(boolean writeBack) {
            this.writeBack = writeBack;
            return this;
        }

        /**
         * Sets the T10 vendor identification: printable ASCII, 1 to 8 characters. Default {@code "ISCSI4J"}.
         *
         * @param vendor the vendor
         * @return this builder
         */
        public Builder vendor(String vendor) {
            this.vendor = checkAscii("vendor", vendor, 8);
            return this;
        }

        /**
         * Sets the product identification: printable ASCII, 1 to 16 characters. Default {@code "VIRTUAL-DISK"}.
         *
         * @param product the product
         * @return this builder
         */
        public Builder product(String product) {
            this.product = checkAscii("product", product, 16);
            return this;
        }

        /**
         * Sets the product revision level: printable ASCII, 1 to 4 characters. Default {@code "0001"}.
         *
         * @param revision the revision
         * @return this builder
         */
        public Builder revision(String revision) {
            this.revision = checkAscii("revision", revision, 4);
            return this;
        }

        /**
         * Sets the MEDIUM ROTATION RATE of VPD page B1h, which Linux turns into the disk's {@code rotational} flag
         * (and so its I/O scheduler's choices). Default 1, a non-rotating medium: set the spindle speed for storage
         * that is a spinning disk underneath.
         *
         * @param rate 0 (not reported), 1 (non-rotating) or 1025 to 65534 revolutions per minute
         * @return this builder
         * @since 0.2
         */
        public Builder rotationRate(int rate) {
            if (rate != 0 && rate != 1 && (rate < 0x401 || rate > 0xFFFE)) {
                throw new IllegalArgumentException("rotation rate must be 0, 1 or 1025..65534 rpm: " + rate);
            }
            this.rotationRate = rate;
            return this;
        }

        /**
         * Sets the most bytes one READ or WRITE may transfer (VPD B0h MAXIMUM TRANSFER LENGTH, rounded down to whole
         * blocks); longer commands end with ILLEGAL REQUEST / INVALID FIELD IN CDB. Default and most 8 MiB.
         *
         * @param bytes 4096 to 8 MiB
         * @return this builder
         * @since 0.2
         */
        public Builder maxTransferBytes(int bytes) {
            if (bytes < 4096 || bytes > MAX_TRANSFER_BYTES) {
                throw new IllegalArgumentException("max transfer bytes must be 4096.." + MAX_TRANSFER_BYTES + ": "
                        + bytes);
            }
            this.maxTransferBytes = bytes;
            return this;
        }

        /**
         * Sets the transfer length initiators are asked to use (VPD B0h OPTIMAL TRANSFER LENGTH; Linux takes it as the
         * disk's {@code optimal_io_size}). Default 1 MiB; at most the maximum transfer length.
         *
         * @param bytes a positive number of bytes, rounded down to whole blocks
         * @return this builder
         * @since 0.2
         */
        public Builder optimalTransferBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("optimal transfer bytes must be positive: " + bytes);
            }
            this.optimalTransferBytes = bytes;
            return this;
        }

        /**
         * Sets the most blocks one UNMAP may deallocate in all its descriptors (VPD B0h MAXIMUM UNMAP LBA COUNT);
         * an UNMAP asking for more ends with ILLEGAL REQUEST / INVALID FIELD IN PARAMETER LIST. Default: no limit.
         *
         * @param blocks 1 to 4294967294, or 4294967295 for no limit
         * @return this builder
         * @since 0.2
         */
        public Builder maxUnmapBlocks(long blocks) {
            if (blocks < 1 || blocks > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("max unmap blocks must be 1..4294967295: " + blocks);
            }
            this.maxUnmapBlocks = blocks;
            return this;
        }

        /**
         * Sets a soft threshold for thin-provisioned storage whose backstore reports its allocated space
         * ({@link Backstore#allocatedBytes()}): once that reaches {@code percent} of the capacity, every I_T nexus
         * gets a UNIT ATTENTION, THIN PROVISIONING SOFT THRESHOLD REACHED (38h/07h; Linux logs it and raises a
         * uevent), once, and again after the space fell below the threshold and crossed it anew. Checked at most
         * once a second, as commands arrive. Default 0: none.
         *
         * @param percent 1 to 99, or 0 for none
         * @return this builder
         * @since 0.2
         */
        public Builder softThreshold(int percent) {
            if (percent < 0 || percent > 99) {
                throw new IllegalArgumentException("soft threshold must be 1..99 percent, or 0 for none: " + percent);
            }
            this.softThresholdPercent = percent;
            return this;
        }

        /**
         * Turns optional commands off for this logical unit (see {@link LunFeature}); replaces an earlier call.
         *
         * @param features the features to serve without; none to serve all
         * @return this builder
         * @since 0.2
         */
        public Builder disable(LunFeature... features) {
            this.disabled = java.util.EnumSet.noneOf(LunFeature.class);
            this.disabled.addAll(java.util.Arrays.asList(features));
            return this;
        }

        /**
         * Sets the executor every backstore call (read, write, flush) is submitted to, so that storage code never
         * runs on the transport's thread. Exception: when the backstore declares
         * {@link BackstoreCapability#NON_BLOCKING}, plain READ and WRITE commands of at most 256 KiB call
         * {@link io.iscsi4j.backstore.Backstore#read read} and {@link io.iscsi4j.backstore.Backstore#write write}
         * directly on the thread that runs the command. Completions of the backstore's stages may run on any thread. Default: a
         * shared pool of daemon threads named {@code iscsi4j-backstore-N} (twice the number of processors, at least
         * four; idle threads end after 60 seconds), shared by all logical units built without an executor and
         * never shut down. The caller owns an executor it passes here: the logical unit does not shut it down.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Sets the physical block size reported to initiators: a power of two from the logical block size (the
         * backstore's) to 1 MiB, checked by {@link #build()}. A logical unit over 512-byte blocks stored on 4096-byte
         * sectors, for instance, reports 8 logical blocks per physical block (READ CAPACITY (16)) and an optimal
         * transfer and unmap granularity of 8 blocks (VPD page B0h), so initiators align their I/O to 4096 bytes. The
         * first physical block starts at LBA 0. Default: the logical block size.
         *
         * @param bytes the physical block size in bytes
         * @return this builder
         * @throws IllegalArgumentException when {@code bytes} is not a power of two from 512 to 1 MiB
         * @since 0.1
         */
        public Builder physicalBlockSize(int bytes) {
            if (bytes < 512 || bytes > OPTIMAL_TRANSFER_BYTES || Integer.bitCount(bytes) != 1) {
                throw new IllegalArgumentException(
                        "physical block size must be a power of two from 512 to 1048576: " + bytes);
            }
            this.physicalBlockSize = bytes;
            return this;
        }

        /**
         * Bounds every backstore call: each read, write, flush, unmap, write same, compare and write and provisioning
         * query the logical unit makes (one command may make several, each timed on its own). Default: none
         * ({@link Duration#ZERO}); then nothing is timed and a call that never completes holds its command, and every
         * task management function or new session that waits for it, forever.
         *
         * <p>What an initiator sees when a call has not completed within {@code timeout}: its command ends with CHECK
         * CONDITION, NOT READY / LOGICAL UNIT NOT READY, OPERATION IN PROGRESS (02h, 04h/07h; initiators treat it as
         * transient and retry later). From that moment the logical unit is NOT READY for every command of every I_T
         * nexus, with the same sense data, until every call that exceeded the timeout has really completed; INQUIRY
         * and REPORT LUNS are still answered, REQUEST SENSE returns that sense data with GOOD status, and a pending
         * unit attention is still reported first. The call keeps the claim on its blocks and the command's data
         * buffers until it completes, and no backstore call starts while the logical unit is not ready (a command
         * that was already under way then ends NOT READY too; calls already running go on, each with its own
         * timeout). So no command the initiator sends after the NOT READY, whatever it does meanwhile (retries,
         * resets, a new session), can write to the medium before the stalled call has completed, nor read what the
         * stalled call may still change. When the last such call completes, the logical unit is ready again, without
         * a unit attention; the late call's own outcome is not reported (the data of a write that timed out may or
         * may not be on the medium, as after any failed write). The flush of a SYNCHRONIZE CACHE with IMMED, whose
         * GOOD status is sent already, makes the logical unit NOT READY the same way, and still becomes a deferred
         * error if it fails.
         *
         * <p>Task management: once a command ended NOT READY it has ended as far as the transport is concerned, so a
         * task management function (ABORT TASK, LOGICAL UNIT RESET, ...), a PREEMPT AND ABORT or a session
         * reinstatement covering it completes without waiting for the stalled call (at the latest when the timeout
         * passes); the NOT READY state protects the medium instead.
         *
         * <p>One timer thread per logical unit with a timeout, started on the first call; none without.
         *
         * @param timeout how long one backstore call may take; {@link Duration#ZERO} for no timeout
         * @return this builder
         * @throws IllegalArgumentException when {@code timeout} is negative
         * @since 0.1
         */
        public Builder backstoreTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("backstore timeout must be positive, or zero for none: " + timeout);
            }
            this.backstoreTimeout = timeout;
            return this;
        }

        /**
         * Shares the logical unit's persistent reservations with other gateways serving the same storage, through
         * {@code state} (the logical unit closes it): every PERSISTENT RESERVE OUT reads, changes and writes back the
         * shared state, and completes only once every other gateway has acted on the change (see
         * {@link #taskFence}) or has been fenced. {@link #build()} reads the shared state before returning.
         * Persistence through power loss (APTPL) is offered when {@link SharedState#persistent()}. A state with one
         * member only ({@link SharedState#soleMember()}, a {@link io.iscsi4j.backstore.DirectorySharedState}) makes
         * {@link #build()} a power on: registrations and the reservation are kept only if the last REGISTER set APTPL,
         * PRGENERATION restarts at zero, and an SPC-2 reservation, MODE SELECT's changes and other port groups are
         * dropped.
         *
         * @param state this gateway's member of the shared state
         * @return this builder
         * @since 0.2
         */
        public Builder sharedState(SharedState state) {
            this.sharedState = Objects.requireNonNull(state, "state");
            return this;
        }

        /**
         * How long another gateway has to act on a change and answer before it is fenced (default 10 s). Longer than
         * the slowest backstore write a gateway may have to wait for when it aborts tasks; shorter than the
         * initiators' command timeouts.
         *
         * @param timeout a positive duration
         * @return this builder
         * @since 0.2
         */
        public Builder peerTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("peer timeout must be positive: " + timeout);
            }
            this.peerTimeout = timeout;
            return this;
        }

        /**
         * How the transport ends or awaits this gateway's tasks for the unit when another gateway asks (a PREEMPT
         * AND ABORT, CLEAR or LOGICAL UNIT RESET there). The default ends and awaits nothing.
         *
         * @param fence the transport's fence
         * @return this builder
         * @since 0.2
         */
        public Builder taskFence(UnitTaskFence fence) {
            this.taskFence = Objects.requireNonNull(fence, "fence");
            return this;
        }

        /**
         * With a {@link #sharedState}: the target port groups of the gateway serving the unit, shared with the other
         * gateways through the shared state. Each gateway writes its own group's state there (and again whenever it
         * changes) and learns the others' as peers, so REPORT TARGET PORT GROUPS lists every gateway's group without
         * the host application telling each gateway about the others.
         *
         * @param groups the gateway's target port groups
         * @return this builder
         * @since 0.2
         */
        public Builder portGroups(TargetPortGroups groups) {
            this.portGroups = Objects.requireNonNull(groups, "groups");
            return this;
        }

        /**
         * Builds the logical unit.
         *
         * @return the logical unit
         * @throws IllegalArgumentException when the serial is malformed, the backstore reports a block size that
         *         is not a power of two from 512 to 65536 or a block count below 1, or the physical block size is
         *         smaller than the logical block size; the message names the problem
         */
        public LogicalUnit build() {
            int bs = backstore.blockSize();
            if (bs < 512 || bs > 65536 || Integer.bitCount(bs) != 1) {
                throw new IllegalArgumentException(
                        "backstore block size must be a power of two from 512 to 65536: " + bs);
            }
            long count = backstore.blockCount();
            if (count < 1) {
                throw new IllegalArgumentException("backstore block count must be at least 1: " + count);
            }
            int physical = physicalBlockSize == 0 ? bs : physicalBlockSize;
            if (physical < bs) {
                throw new IllegalArgumentException("physical block size " + physical
                        + " is smaller than the backstore's logical block size " + bs);
            }
            String s = serial != null ? serial : backstore.unitSerialNumber();
            s = s != null
                    ? checkAscii("serial", s, MAX_SERIAL_LENGTH)
                    : UUID.randomUUID().toString().replace("-", "");
            LogicalUnit unit = new LogicalUnit(this, bs, physical, s);
            if (sharedState != null) {
                unit.joinPeers(peerTimeout.multipliedBy(3), portGroups);
            }
            return unit;
        }

        private static String checkAscii(String what, String value, int maxLength) {
            Objects.requireNonNull(value, what);
            if (value.isEmpty() || value.length() > maxLength || !Bytes.isPrintableAscii(value)) {
                throw new IllegalArgumentException(
                        what + " must be 1 to " + maxLength + " printable ASCII characters: \"" + value + "\"");
            }
            return value;
        }
    }

    /** The shared default executor, created on first use. */
    private static final class DefaultExecutor {

        static final Executor INSTANCE = create();

        private static Executor create() {
            int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
            AtomicInteger counter = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "iscsi4j-backstore-" + counter.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }
}
