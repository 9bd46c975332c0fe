package io.iscsi4j;

import io.iscsi4j.backstore.SharedState;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of one LUN, set in {@link TargetBuilder#lun(int, io.iscsi4j.backstore.Backstore,
 * java.util.function.Consumer)}. Not thread-safe; used only while building.
 *
 * @since 0.1
 */
public final class LunBuilder {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LunBuilder.class);

    private Boolean readOnly;
    private Boolean writeBack;
    private String serial;
    private Integer physicalBlockSize;
    private Duration backstoreTimeout = Duration.ZERO;
    private SharedState sharedState;
    private Duration peerTimeout = LunConfig.DEFAULT_PEER_TIMEOUT;
    private String vendor = LunAttributes.DEFAULTS.vendor();
    private String product = LunAttributes.DEFAULTS.product();
    private String revision = LunAttributes.DEFAULTS.revision();
    private int rotationRate = LunAttributes.DEFAULTS.rotationRate();
    private int maxTransferBytes = LunAttributes.DEFAULTS.maxTransferBytes();
    private int optimalTransferBytes = LunAttributes.DEFAULTS.optimalTransferBytes();
    private long maxUnmapBlocks = LunAttributes.DEFAULTS.maxUnmapBlocks();
    private java.util.Set<io.iscsi4j.scsi.LunFeature> disabled = java.util.Set.of();
    private int softThresholdPercent;

    LunBuilder() {
    }

    /**
     * Refuses writes (DATA PROTECT / WRITE PROTECTED) even when the backstore accepts them. Default: the
     * backstore's {@link io.iscsi4j.backstore.Backstore#isReadOnly()}.
     *
     * @param value whether the LUN is read-only
     * @return this
     */
    public LunBuilder readOnly(boolean value) {
        this.readOnly = value;
        return this;
    }

    /**
     * Write-back (a volatile cache is reported and flushed by SYNCHRONIZE CACHE / FUA) or write-through (every
     * write is made durable before GOOD status). Default: the backstore's
     * {@link io.iscsi4j.backstore.Backstore#hasVolatileCache()}. Initiators may turn the write cache of a write-back
     * LUN off and on with MODE SELECT; a write-through LUN stays write-through (WCE is not changeable).
     *
     * @param value {@code true} for write-back
     * @return this
     */
    public LunBuilder writeBack(boolean value) {
        this.writeBack = value;
        return this;
    }

    /**
     * The unit serial number (VPD page 80h); the NAA device identifier is derived from it. It must identify the
     * storage: stable across restarts of the same storage, different for different storage (multipath initiators
     * merge devices with the same identity into one). Default: the backstore's
     * {@link io.iscsi4j.backstore.Backstore#unitSerialNumber()}: random for a memory backstore, kept next to the image
     * for a file backstore, the image's own for RBD. A backstore without one gets a random serial, new on every
     * start (logged at INFO). Set it when the storage has an identity the backstore does not know, or to keep a
     * serial initiators already know.
     *
     * @param value 1 to 64 printable ASCII characters
     * @return this
     */
    public LunBuilder serial(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException("serial must be printable ASCII");
            }
        }
        this.serial = value;
        return this;
    }

    /**
     * The physical block size reported to initiators, for storage whose logical blocks are smaller than the unit it
     * writes in (512-byte blocks on 4096-byte sectors, say): READ CAPACITY (16) reports the logical blocks per
     * physical block, and VPD page B0h the optimal transfer and unmap granularity, so initiators align their I/O to
     * it. It changes no command's behaviour: unaligned I/O is served as before. The first physical block starts at
     * LBA 0. Default: the backstore's logical block size.
     *
     * @param bytes a power of two from the backstore's {@linkplain io.iscsi4j.backstore.Backstore#blockSize() block
     *        size} to 1 MiB (1048576); checked against the block size when the LUN is added
     * @return this
     * @throws IllegalArgumentException when {@code bytes} is not a power of two from 512 to 1048576
     * @since 0.1
     */
    public LunBuilder physicalBlockSize(int bytes) {
        if (bytes < 512 || bytes > LunConfig.MAX_PHYSICAL_BLOCK_SIZE || Integer.bitCount(bytes) != 1) {
            throw new IllegalArgumentException(
                    "physical block size must be a power of two from 512 to 1048576: " + bytes);
        }
        this.physicalBlockSize = bytes;
        return this;
    }

    /**
     * Bounds every backstore call of the LUN (each read, write, flush, unmap, write same, compare and write a command
     * makes, each timed on its own), for storage that may hang, such as a remote store. Default: none; then a call
     * that never completes holds its command, and every task management function, PREEMPT AND ABORT or new session
     * that waits for it, forever.
     *
     * <p>What the initiator sees when a call has not completed within {@code timeout}: the command ends with CHECK
     * CONDITION, NOT READY / LOGICAL UNIT NOT READY, OPERATION IN PROGRESS (02h, 04h/07h; Linux retries such a
     * command after a delay instead of failing the I/O). From that moment the LUN is NOT READY, with the same sense
     * data, for every command of every session until each call that exceeded the timeout has really completed;
     * INQUIRY and REPORT LUNS are still answered, REQUEST SENSE returns that sense data with GOOD status, and a
     * pending unit attention is still reported first. Meanwhile the stalled call keeps its blocks claimed and its
     * data buffers, and no other backstore call of the LUN starts, so no command sent after the NOT READY, whatever
     * the initiator does meanwhile (retries, task management, a new session), writes to the medium before the stalled
     * call has completed. Once the last one completed the LUN is ready again, without a unit attention; whether the
     * data of a write that timed out reached the medium is not reported, as after any failed write.
     *
     * <p>Task management: a command that ended NOT READY has ended as far as iSCSI is concerned, so an ABORT TASK,
     * LOGICAL UNIT RESET, target reset, I_T NEXUS RESET, PREEMPT AND ABORT or session reinstatement that covers it
     * completes without waiting for the stalled call: at the latest once the timeout has passed and the command's
     * status was sent (or, for a command aborted before, dropped). The NOT READY state protects the medium instead.
     *
     * @param timeout how long one backstore call may take; {@link Duration#ZERO} for no timeout
     * @return this
     * @throws IllegalArgumentException when {@code timeout} is negative
     * @since 0.1
     */
    public LunBuilder backstoreTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("backstoreTimeout must be positive, or zero for none: " + timeout);
        }
        this.backstoreTimeout = timeout;
        return this;
    }

    /**
     * Serves the LUN as one of several gateways in front of the same storage (each gateway an {@link IscsiTarget},
     * in this process or another, usually on another host): {@code state} is this gateway's member of what they
     * share (for Ceph RBD, {@code RbdBackstore.sharedState()}; in one JVM, an
     * {@link io.iscsi4j.backstore.InProcessSharedState}). The persistent reservations then live in the shared state:
     * every gateway sees the same registrations and reservation, and a PERSISTENT RESERVE OUT completes only once
     * every other gateway has acted on it. PREEMPT AND ABORT and CLEAR on one gateway cover the affected I_T nexuses'
     * tasks on every gateway, and so does a LOGICAL UNIT RESET: the command or function completes once no write of
     * those tasks can still reach the storage. A gateway that does not answer within {@code peerTimeout} is fenced
     * ({@link io.iscsi4j.backstore.SharedState#fence}; for RBD, Ceph blocklists its client); if that fails too, the
     * command ends with HARDWARE ERROR rather than a GOOD that could be wrong. The target closes {@code state} with
     * the LUN.
     *
     * @param state this gateway's member of the shared state
     * @param peerTimeout how long another gateway has to answer before it is fenced (10 s with
     *        {@link #sharedState(SharedState)}): longer than the slowest backstore write it may have to wait for,
     *        shorter than the initiators' command timeouts
     * @return this
     * @since 0.2
     */
    public LunBuilder sharedState(SharedState state, Duration peerTimeout) {
        this.sharedState = Objects.requireNonNull(state, "state");
        Objects.requireNonNull(peerTimeout, "peerTimeout");
        if (peerTimeout.isNegative() || peerTimeout.isZero()) {
            throw new IllegalArgumentException("peerTimeout must be positive: " + peerTimeout);
        }
        this.peerTimeout = peerTimeout;
        return this;
    }

    /**
     * {@link #sharedState(SharedState, Duration)} with a peer timeout of 10 s.
     *
     * @param state this gateway's member of the shared state
     * @return this
     * @since 0.2
     */
    public LunBuilder sharedState(SharedState state) {
        return sharedState(state, LunConfig.DEFAULT_PEER_TIMEOUT);
    }

    /**
     * Sets the T10 vendor identification INQUIRY reports (and the T10 vendor ID designator of VPD page 83h).
     * Default {@code ISCSI4J}. Multipath configurations and hypervisors match devices by vendor and product.
     *
     * @param value 1 to 8 printable ASCII characters
     * @return this
     * @since 0.2
     */
    public LunBuilder vendor(String value) {
        this.vendor = ascii("vendor", value, 8);
        return this;
    }

    /**
     * Sets the product identification INQUIRY reports. Default {@code VIRTUAL-DISK}.
     *
     * @param value 1 to 16 printable ASCII characters
     * @return this
     * @since 0.2
     */
    public LunBuilder product(String value) {
        this.product = ascii("product", value, 16);
        return this;
    }

    /**
     * Sets the product revision level INQUIRY reports. Default {@code 0001}.
     *
     * @param value 1 to 4 printable ASCII characters
     * @return this
     * @since 0.2
     */
    public LunBuilder revision(String value) {
        this.revision = ascii("revision", value, 4);
        return this;
    }

    /**
     * Sets the medium rotation rate of VPD page B1h, which Linux turns into the disk's {@code rotational} flag.
     * Default 1, a non-rotating medium (an SSD): set the spindle speed, for example 7200, for storage that is a
     * spinning disk underneath, so that the initiator's I/O scheduler treats it as one.
     *
     * @param rate 0 (not reported), 1 (non-rotating) or 1025 to 65534 revolutions per minute
     * @return this
     * @since 0.2
     */
    public LunBuilder rotationRate(int rate) {
        if (rate != 0 && rate != 1 && (rate < 0x401 || rate > 0xFFFE)) {
            throw new IllegalArgumentException("rotation rate must be 0, 1 or 1025..65534 rpm: " + rate);
        }
        this.rotationRate = rate;
        return this;
    }

    /**
     * Sets the most bytes one READ or WRITE may move (VPD B0h MAXIMUM TRANSFER LENGTH, Linux's
     * {@code max_hw_sectors_kb}); longer commands end with ILLEGAL REQUEST. Default and most 8 MiB.
     *
     * @param bytes 4096 to 8 MiB (rounded down to whole blocks)
     * @return this
     * @since 0.2
     */
    public LunBuilder maxTransferBytes(int bytes) {
        if (bytes < 4096 || bytes > LunAttributes.DEFAULTS.maxTransferBytes()) {
            throw new IllegalArgumentException("max transfer bytes must be 4096.."
                    + LunAttributes.DEFAULTS.maxTransferBytes() + ": " + bytes);
        }
        this.maxTransferBytes = bytes;
        return this;
    }

    /**
     * Sets the transfer length initiators are asked to use (VPD B0h OPTIMAL TRANSFER LENGTH, Linux's
     * {@code optimal_io_size}). Default 1 MiB; at most the maximum transfer length.
     *
     * @param bytes a positive number of bytes (rounded down to whole blocks)
     * @return this
     * @since 0.2
     */
    public LunBuilder optimalTransferBytes(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("optimal transfer bytes must be positive: " + bytes);
        }
        this.optimalTransferBytes = bytes;
        return this;
    }

    /**
     * Sets the most blocks one UNMAP may deallocate (VPD B0h MAXIMUM UNMAP LBA COUNT, Linux's
     * {@code discard_max_bytes}); an UNMAP asking for more ends with ILLEGAL REQUEST. Default: no limit.
     *
     * @param blocks 1 to 4294967295 (that value: no limit)
     * @return this
     * @since 0.2
     */
    public LunBuilder maxUnmapBlocks(long blocks) {
        if (blocks < 1 || blocks > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("max unmap blocks must be 1..4294967295: " + blocks);
        }
        this.maxUnmapBlocks = blocks;
        return this;
    }

    /**
     * Serves this LUN without some optional commands (LIO's {@code emulate_caw}, {@code emulate_3pc},
     * {@code emulate_tpu} and {@code emulate_tpws} set to 0): their commands are answered ILLEGAL REQUEST / INVALID
     * COMMAND OPERATION CODE and neither INQUIRY, the VPD pages nor REPORT SUPPORTED OPERATION CODES advertise them.
     * For example VMware ESXi uses COMPARE AND WRITE for its locks (ATS) and EXTENDED COPY for clones when they are
     * offered. Replaces an earlier call.
     *
     * @param features what not to serve; none to serve everything
     * @return this
     * @since 0.2
     */
    public LunBuilder disable(io.iscsi4j.scsi.LunFeature... features) {
        java.util.Set<io.iscsi4j.scsi.LunFeature> set = java.util.EnumSet.noneOf(io.iscsi4j.scsi.LunFeature.class);
        set.addAll(java.util.Arrays.asList(features));
        this.disabled = set;
        return this;
    }

    /**
     * Sets a thin-provisioning soft threshold, for a backstore that reports its allocated space
     * ({@link io.iscsi4j.backstore.Backstore#allocatedBytes()}; the memory backstore does): when the allocated
     * space reaches {@code percent} of the capacity, every initiator gets a UNIT ATTENTION, THIN PROVISIONING SOFT
     * THRESHOLD REACHED (38h/07h), once (again after it fell below and crossed anew), and a WARN line is logged.
     * Checked at most once a second, as commands arrive. Default: none.
     *
     * @param percent 1 to 99, or 0 for none
     * @return this
     * @since 0.2
     */
    public LunBuilder softThreshold(int percent) {
        if (percent < 0 || percent > 99) {
            throw new IllegalArgumentException("soft threshold must be 1..99 percent, or 0 for none: " + percent);
        }
        this.softThresholdPercent = percent;
        return this;
    }

    private static String ascii(String what, String value, int max) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty() || value.length() > max) {
            throw new IllegalArgumentException(what + " must be 1 to " + max + " characters: " + value);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException(what + " must be printable ASCII");
            }
        }
        return value;
    }

    LunConfig build(String targetName, int lun, io.iscsi4j.backstore.Backstore backstore) {
        boolean ro = readOnly != null ? readOnly : backstore.isReadOnly();
        boolean wb = writeBack != null ? writeBack : backstore.hasVolatileCache();
        String s = serial != null ? serial
                : backstore.unitSerialNumber() != null ? backstore.unitSerialNumber()
                : randomSerial(targetName, lun, backstore);
        int logical = backstore.blockSize();
        int physical = physicalBlockSize != null ? physicalBlockSize : logical;
        if (physical < logical) {
            throw new IllegalArgumentException("target " + targetName + ": LUN " + lun + ": physical block size "
                    + physical + " is smaller than the backstore's block size " + logical);
        }
        return new LunConfig(lun, backstore, ro, wb, s, physical, backstoreTimeout, sharedState, peerTimeout,
                attributes());
    }

    private LunAttributes attributes() {
        return new LunAttributes(vendor, product, revision, rotationRate, maxTransferBytes, optimalTransferBytes,
                maxUnmapBlocks, disabled, softThresholdPercent);
    }

    /**
     * A random serial for storage without an identity of its own, logged at INFO (once, when the LUN is built): the
     * device's identity then changes on every start, but never collides with another deployment's.
     */
    private static String randomSerial(String targetName, int lun, io.iscsi4j.backstore.Backstore backstore) {
        String s = java.util.UUID.randomUUID().toString().replace("-", "");
        LOG.info("target {} LUN {}: the backstore ({}) has no identity of its own; serving it with the random serial {},"
                + " new on every start (set LunBuilder.serial to keep one)", targetName, lun,
                backstore.getClass().getName(), s);
        return s;
    }
}
