package io.iscsi4j.core.login;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a target prefers and accepts when an initiator offers operational keys (RFC 7143 §13). The target only
 * answers: it never offers a key the initiator did not, so a key the initiator leaves out keeps its RFC
 * default. Each value here is the target's side of the key's result function: with Minimum keys the smaller of
 * offer and this value wins, with Maximum keys the larger, with AND/OR keys the boolean combination.
 *
 * <p>The target supports error recovery level 0 and one connection per session only, so
 * {@link #errorRecoveryLevel()} is 0 and {@link #maxConnections()} is 1.
 *
 * <p>Immutable and thread-safe; build one with {@link #builder()}.
 *
 * @since 0.1.0
 */
public final class TargetNegotiationConfig {

    /** The task reporting choices of RFC 7143 §13.23. */
    private static final Set<String> TASK_REPORTING_CHOICES = Set.of("RFC3720", "ResponseFence", "FastAbort");

    private static final TargetNegotiationConfig DEFAULTS = builder().build();

    private final int targetMaxRecvDataSegmentLength;
    private final int maxBurstLength;
    private final int firstBurstLength;
    private final boolean initialR2T;
    private final boolean immediateData;
    private final int maxOutstandingR2T;
    private final int defaultTime2Wait;
    private final int defaultTime2Retain;
    private final boolean dataPduInOrder;
    private final boolean dataSequenceInOrder;
    private final Set<Digest> headerDigests;
    private final Set<Digest> dataDigests;
    private final Set<String> taskReporting;
    private final int iscsiProtocolLevel;

    private TargetNegotiationConfig(Builder builder) {
        this.targetMaxRecvDataSegmentLength = builder.targetMaxRecvDataSegmentLength;
        this.maxBurstLength = builder.maxBurstLength;
        this.firstBurstLength = builder.firstBurstLength;
        this.initialR2T = builder.initialR2T;
        this.immediateData = builder.immediateData;
        this.maxOutstandingR2T = builder.maxOutstandingR2T;
        this.defaultTime2Wait = builder.defaultTime2Wait;
        this.defaultTime2Retain = builder.defaultTime2Retain;
        this.dataPduInOrder = builder.dataPduInOrder;
        this.dataSequenceInOrder = builder.dataSequenceInOrder;
        this.headerDigests = Collections.unmodifiableSet(EnumSet.copyOf(builder.headerDigests));
        this.dataDigests = Collections.unmodifiableSet(EnumSet.copyOf(builder.dataDigests));
        this.taskReporting = Collections.unmodifiableSet(new LinkedHashSet<>(builder.taskReporting));
        this.iscsiProtocolLevel = builder.iscsiProtocolLevel;
    }

    /**
     * The configuration with every default of {@link Builder}.
     *
     * @return the shared default configuration
     */
    public static TargetNegotiationConfig defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The MaxRecvDataSegmentLength the target declares: the largest data segment, in bytes, it accepts per PDU.
     *
     * @return 512 to 2^24-1; default 262144
     */
    public int targetMaxRecvDataSegmentLength() {
        return targetMaxRecvDataSegmentLength;
    }

    /**
     * The target's MaxBurstLength in bytes (result: the minimum of both sides).
     *
     * @return 512 to 2^24-1; default 1048576
     */
    public int maxBurstLength() {
        return maxBurstLength;
    }

    /**
     * The target's FirstBurstLength in bytes (result: the minimum of both sides).
     *
     * @return 512 to {@link #maxBurstLength()}; default 262144
     */
    public int firstBurstLength() {
        return firstBurstLength;
    }

    /**
     * The target's InitialR2T (result: OR, so {@code Yes} from either side wins).
     *
     * @return default {@code false}: unsolicited data allowed when the initiator agrees
     */
    public boolean initialR2T() {
        return initialR2T;
    }

    /**
     * The target's ImmediateData (result: AND).
     *
     * @return default {@code true}
     */
    public boolean immediateData() {
        return immediateData;
    }

    /**
     * The target's MaxOutstandingR2T (result: the minimum of both sides).
     *
     * @return 1 to 65535; default 16
     */
    public int maxOutstandingR2T() {
        return maxOutstandingR2T;
    }

    /**
     * The target's DefaultTime2Wait in seconds (result: the maximum of both sides).
     *
     * @return 0 to 3600; default 2
     */
    public int defaultTime2Wait() {
        return defaultTime2Wait;
    }

    /**
     * The target's DefaultTime2Retain in seconds (result: the minimum of both sides).
     *
     * @return 0 to 3600; default 20
     */
    public int defaultTime2Retain() {
        return defaultTime2Retain;
    }

    /**
     * The target's DataPDUInOrder (result: OR).
     *
     * @return default {@code true}
     */
    public boolean dataPduInOrder() {
        return dataPduInOrder;
    }

    /**
     * The target's DataSequenceInOrder (result: OR).
     *
     * @return default {@code true}
     */
    public boolean dataSequenceInOrder() {
        return dataSequenceInOrder;
    }

    /**
     * The header digests the target accepts; it picks the first of the initiator's list among them.
     *
     * @return never empty; default {@code None} and {@code CRC32C}
     */
    public Set<Digest> headerDigests() {
        return headerDigests;
    }

    /**
     * The data digests the target accepts; it picks the first of the initiator's list among them.
     *
     * @return never empty; default {@code None} and {@code CRC32C}
     */
    public Set<Digest> dataDigests() {
        return dataDigests;
    }

    /**
     * The TaskReporting choices the target supports (RFC 7143 §13.23).
     *
     * @return never empty; default {@code RFC3720} only
     */
    public Set<String> taskReporting() {
        return taskReporting;
    }

    /**
     * The target's iSCSIProtocolLevel (result: the minimum of both sides; RFC 7144 §2.1).
     *
     * @return 0 to 31; default 1 (RFC 7143)
     */
    public int iscsiProtocolLevel() {
        return iscsiProtocolLevel;
    }

    /**
     * The target's ErrorRecoveryLevel (result: the minimum of both sides).
     *
     * @return always 0: the only level the target implements
     */
    public int errorRecoveryLevel() {
        return 0;
    }

    /**
     * The target's MaxConnections (result: the minimum of both sides).
     *
     * @return always 1: the target does not support multiple connections per session
     */
    public int maxConnections() {
        return 1;
    }

    /**
     * The target's side of the result function of a negotiable key, as text.
     *
     * @param key a key that is not declarative
     * @param maxBurstLengthInForce the MaxBurstLength the session will have, which caps FirstBurstLength
     * @return {@code Yes}/{@code No}, a number, or the comma-separated acceptable choices
     */
    String responderValue(TextKey key, long maxBurstLengthInForce) {
        switch (key) {
            case AUTH_METHOD:
                throw new IllegalArgumentException("AuthMethod is answered by the authenticator");
            case HEADER_DIGEST:
                return digestList(headerDigests);
            case DATA_DIGEST:
                return digestList(dataDigests);
            case MAX_CONNECTIONS:
                return Integer.toString(maxConnections());
            case INITIAL_R2T:
                return yesNo(initialR2T);
            case IMMEDIATE_DATA:
                return yesNo(immediateData);
            case MAX_BURST_LENGTH:
                return Integer.toString(maxBurstLength);
            case FIRST_BURST_LENGTH:
                return Long.toString(Math.min(firstBurstLength, maxBurstLengthInForce));
            case DEFAULT_TIME_2_WAIT:
                return Integer.toString(defaultTime2Wait);
            case DEFAULT_TIME_2_RETAIN:
                return Integer.toString(defaultTime2Retain);
            case MAX_OUTSTANDING_R2T:
                return Integer.toString(maxOutstandingR2T);
            case DATA_PDU_IN_ORDER:
                return yesNo(dataPduInOrder);
            case DATA_SEQUENCE_IN_ORDER:
                return yesNo(dataSequenceInOrder);
            case ERROR_RECOVERY_LEVEL:
                return Integer.toString(errorRecoveryLevel());
            case TASK_REPORTING:
                return String.join(",", taskReporting);
            case ISCSI_PROTOCOL_LEVEL:
                return Integer.toString(iscsiProtocolLevel);
            case OF_MARKER:
            case IF_MARKER:
                return "No";
            default:
                throw new IllegalArgumentException(key + " is not negotiated by the target configuration");
        }
    }

    private static String digestList(Set<Digest> digests) {
        List<String> names = new ArrayList<>();
        digests.forEach(digest -> names.add(digest.wireValue()));
        return String.join(",", names);
    }

    private static String yesNo(boolean value) {
        return value ? "Yes" : "No";
    }

    @Override
    public String toString() {
        return "TargetNegotiationConfig[targetMaxRecvDataSegmentLength=" + targetMaxRecvDataSegmentLength
                + ", maxBurstLength=" + maxBurstLength + ", firstBurstLength=" + firstBurstLength
                + ", initialR2T=" + initialR2T + ", immediateData=" + immediateData
                + ", maxOutstandingR2T=" + maxOutstandingR2T + ", defaultTime2Wait=" + defaultTime2Wait
                + ", defaultTime2Retain=" + defaultTime2Retain + ", dataPduInOrder=" + dataPduInOrder
                + ", dataSequenceInOrder=" + dataSequenceInOrder + ", headerDigests=" + headerDigests
                + ", dataDigests=" + dataDigests + ", taskReporting=" + taskReporting
                + ", iscsiProtocolLevel=" + iscsiProtocolLevel + "]";
    }

    /**
     * Builds a {@link TargetNegotiationConfig}; every setting starts at its documented default. Not
     * thread-safe.
     */
    public static final class Builder {

        private int targetMaxRecvDataSegmentLength = 262_144;
        private int maxBurstLength = 1_048_576;
        private int firstBurstLength = 262_144;
        private boolean initialR2T = false;
        private boolean immediateData = true;
        private int maxOutstandingR2T = 16;
        private int defaultTime2Wait = 2;
        private int defaultTime2Retain = 20;
        private boolean dataPduInOrder = true;
        private boolean dataSequenceInOrder = true;
        private Set<Digest> headerDigests = EnumSet.allOf(Digest.class);
        private Set<Digest> dataDigests = EnumSet.allOf(Digest.class);
        private Set<String> taskReporting = Set.of("RFC3720");
        private int iscsiProtocolLevel = 1;

        private Builder() {
        }

        /**
         * Sets the MaxRecvDataSegmentLength the target declares.
         *
         * @param bytes 512 to 2^24-1
         * @return this builder
         */
        public Builder targetMaxRecvDataSegmentLength(int bytes) {
            this.targetMaxRecvDataSegmentLength = bytes;
            return this;
        }

        /**
         * Sets the target's MaxBurstLength.
         *
         * @param bytes 512 to 2^24-1
         * @return this builder
         */
        public Builder maxBurstLength(int bytes) {
            this.maxBurstLength = bytes;
            return this;
        }

        /**
         * Sets the target's FirstBurstLength.
         *
         * @param bytes 512 to the MaxBurstLength
         * @return this builder
         */
        public Builder firstBurstLength(int bytes) {
            this.firstBurstLength = bytes;
            return this;
        }

        /**
         * Sets the target's InitialR2T.
         *
         * @param required whether the target requires an R2T before any unsolicited data
         * @return this builder
         */
        public Builder initialR2T(boolean required) {
            this.initialR2T = required;
            return this;
        }

        /**
         * Sets the target's ImmediateData.
         *
         * @param allowed whether SCSI commands may carry data
         * @return this builder
         */
        public Builder immediateData(boolean allowed) {
            this.immediateData = allowed;
            return this;
        }

        /**
         * Sets the target's MaxOutstandingR2T.
         *
         * @param count 1 to 65535
         * @return this builder
         */
        public Builder maxOutstandingR2T(int count) {
            this.maxOutstandingR2T = count;
            return this;
        }

        /**
         * Sets the target's DefaultTime2Wait.
         *
         * @param seconds 0 to 3600
         * @return this builder
         */
        public Builder defaultTime2Wait(int seconds) {
            this.defaultTime2Wait = seconds;
            return this;
        }

        /**
         * Sets the target's DefaultTime2Retain.
         *
         * @param seconds 0 to 3600
         * @return this builder
         */
        public Builder defaultTime2Retain(int seconds) {
            this.defaultTime2Retain = seconds;
            return this;
        }

        /**
         * Sets the target's DataPDUInOrder.
         *
         * @param inOrder whether the target needs data PDUs in offset order
         * @return this builder
         */
        public Builder dataPduInOrder(boolean inOrder) {
            this.dataPduInOrder = inOrder;
            return this;
        }

        /**
         * Sets the target's DataSequenceInOrder.
         *
         * @param inOrder whether the target needs data sequences in offset order
         * @return this builder
         */
        public Builder dataSequenceInOrder(boolean inOrder) {
            this.dataSequenceInOrder = inOrder;
            return this;
        }

        /**
         * Sets the header digests the target accepts.
         *
         * @param digests at least one
         * @return this builder
         */
        public Builder headerDigests(Set<Digest> digests) {
            this.headerDigests = Set.copyOf(digests);
            return this;
        }

        /**
         * Sets the data digests the target accepts.
         *
         * @param digests at least one
         * @return this builder
         */
        public Builder dataDigests(Set<Digest> digests) {
            this.dataDigests = Set.copyOf(digests);
            return this;
        }

        /**
         * Sets the TaskReporting choices the target supports.
         *
         * @param choices at least one of {@code RFC3720}, {@code ResponseFence}, {@code FastAbort}
         * @return this builder
         */
        public Builder taskReporting(Set<String> choices) {
            this.taskReporting = Set.copyOf(choices);
            return this;
        }

        /**
         * Sets the target's iSCSIProtocolLevel.
         *
         * @param level 0 to 31
         * @return this builder
         */
        public Builder iscsiProtocolLevel(int level) {
            this.iscsiProtocolLevel = level;
            return this;
        }

        /**
         * Validates the settings and builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException naming every setting that is out of range
         */
        public TargetNegotiationConfig build() {
            List<String> problems = new ArrayList<>();
            checkRange(problems, TextKey.MAX_RECV_DATA_SEGMENT_LENGTH, targetMaxRecvDataSegmentLength);
            checkRange(problems, TextKey.MAX_BURST_LENGTH, maxBurstLength);
            checkRange(problems, TextKey.FIRST_BURST_LENGTH, firstBurstLength);
            if (firstBurstLength > maxBurstLength) {
                problems.add("FirstBurstLength " + firstBurstLength + " exceeds MaxBurstLength " + maxBurstLength);
            }
            checkRange(problems, TextKey.MAX_OUTSTANDING_R2T, maxOutstandingR2T);
            checkRange(problems, TextKey.DEFAULT_TIME_2_WAIT, defaultTime2Wait);
            checkRange(problems, TextKey.DEFAULT_TIME_2_RETAIN, defaultTime2Retain);
            checkRange(problems, TextKey.ISCSI_PROTOCOL_LEVEL, iscsiProtocolLevel);
            if (headerDigests.isEmpty()) {
                problems.add("no header digest accepted");
            }
            if (dataDigests.isEmpty()) {
                problems.add("no data digest accepted");
            }
            if (taskReporting.isEmpty()) {
                problems.add("no TaskReporting choice supported");
            }
            for (String choice : taskReporting) {
                if (!TASK_REPORTING_CHOICES.contains(Objects.requireNonNull(choice, "taskReporting choice"))) {
                    problems.add("unknown TaskReporting choice " + choice);
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid negotiation settings: " + String.join("; ", problems));
            }
            return new TargetNegotiationConfig(this);
        }

        private static void checkRange(List<String> problems, TextKey key, long value) {
            if (!key.inRange(value)) {
                problems.add(key.wireName() + " " + value + " is outside " + key.minimum().getAsLong() + ".."
                        + key.maximum().getAsLong());
            }
        }
    }
}
