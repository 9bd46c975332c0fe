package io.iscsi4j.core.login;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a login: who logged in to what, and the value of every operational key (RFC 7143 §13),
 * negotiated or defaulted. Session-wide values apply to the whole session; the digests and the two
 * MaxRecvDataSegmentLength values are per connection. They take effect with the first PDU after the Login
 * Response that enters full feature phase.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class NegotiatedParameters {

    private final String initiatorName;
    private final String initiatorAlias;
    private final String targetName;
    private final String targetAlias;
    private final SessionType sessionType;
    private final int targetPortalGroupTag;
    private final String authMethod;
    private final Digest headerDigest;
    private final Digest dataDigest;
    private final int maxConnections;
    private final boolean initialR2T;
    private final boolean immediateData;
    private final int initiatorMaxRecvDataSegmentLength;
    private final int targetMaxRecvDataSegmentLength;
    private final int maxBurstLength;
    private final int firstBurstLength;
    private final int defaultTime2Wait;
    private final int defaultTime2Retain;
    private final int maxOutstandingR2T;
    private final boolean dataPduInOrder;
    private final boolean dataSequenceInOrder;
    private final int errorRecoveryLevel;
    private final String taskReporting;
    private final int iscsiProtocolLevel;

    private NegotiatedParameters(Builder builder) {
        this.initiatorName = Objects.requireNonNull(builder.initiatorName, "initiatorName");
        this.initiatorAlias = builder.initiatorAlias;
        this.targetName = builder.targetName;
        this.targetAlias = builder.targetAlias;
        this.sessionType = builder.sessionType;
        this.targetPortalGroupTag = builder.targetPortalGroupTag;
        this.authMethod = builder.authMethod;
        this.headerDigest = builder.headerDigest;
        this.dataDigest = builder.dataDigest;
        this.maxConnections = builder.maxConnections;
        this.initialR2T = builder.initialR2T;
        this.immediateData = builder.immediateData;
        this.initiatorMaxRecvDataSegmentLength = builder.initiatorMaxRecvDataSegmentLength;
        this.targetMaxRecvDataSegmentLength = builder.targetMaxRecvDataSegmentLength;
        this.maxBurstLength = builder.maxBurstLength;
        this.firstBurstLength = builder.firstBurstLength;
        this.defaultTime2Wait = builder.defaultTime2Wait;
        this.defaultTime2Retain = builder.defaultTime2Retain;
        this.maxOutstandingR2T = builder.maxOutstandingR2T;
        this.dataPduInOrder = builder.dataPduInOrder;
        this.dataSequenceInOrder = builder.dataSequenceInOrder;
        this.errorRecoveryLevel = builder.errorRecoveryLevel;
        this.taskReporting = builder.taskReporting;
        this.iscsiProtocolLevel = builder.iscsiProtocolLevel;
    }

    /**
     * A builder holding the RFC defaults, used by the negotiation code and by tests.
     *
     * @param initiatorName the initiator's iSCSI name
     * @param sessionType the session type
     * @return a new builder
     */
    static Builder builder(String initiatorName, SessionType sessionType) {
        return new Builder(initiatorName, sessionType);
    }

    /**
     * A copy with another initiator MaxRecvDataSegmentLength, after the initiator declared a new one in full
     * feature phase.
     *
     * @param bytes 512 to 2^24-1
     * @return the copy
     */
    NegotiatedParameters withInitiatorMaxRecvDataSegmentLength(int bytes) {
        Builder builder = toBuilder();
        builder.initiatorMaxRecvDataSegmentLength = bytes;
        return builder.build();
    }

    private Builder toBuilder() {
        Builder builder = new Builder(initiatorName, sessionType);
        builder.initiatorAlias = initiatorAlias;
        builder.targetName = targetName;
        builder.targetAlias = targetAlias;
        builder.targetPortalGroupTag = targetPortalGroupTag;
        builder.authMethod = authMethod;
        builder.headerDigest = headerDigest;
        builder.dataDigest = dataDigest;
        builder.maxConnections = maxConnections;
        builder.initialR2T = initialR2T;
        builder.immediateData = immediateData;
        builder.initiatorMaxRecvDataSegmentLength = initiatorMaxRecvDataSegmentLength;
        builder.targetMaxRecvDataSegmentLength = targetMaxRecvDataSegmentLength;
        builder.maxBurstLength = maxBurstLength;
        builder.firstBurstLength = firstBurstLength;
        builder.defaultTime2Wait = defaultTime2Wait;
        builder.defaultTime2Retain = defaultTime2Retain;
        builder.maxOutstandingR2T = maxOutstandingR2T;
        builder.dataPduInOrder = dataPduInOrder;
        builder.dataSequenceInOrder = dataSequenceInOrder;
        builder.errorRecoveryLevel = errorRecoveryLevel;
        builder.taskReporting = taskReporting;
        builder.iscsiProtocolLevel = iscsiProtocolLevel;
        return builder;
    }

    /**
     * The initiator's iSCSI name (InitiatorName).
     *
     * @return e.g. {@code iqn.1993-08.org.debian:01:abc}
     */
    public String initiatorName() {
        return initiatorName;
    }

    /**
     * The initiator's alias (InitiatorAlias), if it declared one.
     *
     * @return the alias or empty
     */
    public Optional<String> initiatorAlias() {
        return Optional.ofNullable(initiatorAlias);
    }

    /**
     * The target the session is with (TargetName).
     *
     * @return the target name; empty for a discovery session
     */
    public Optional<String> targetName() {
        return Optional.ofNullable(targetName);
    }

    /**
     * The alias the target declared (TargetAlias), if any.
     *
     * @return the alias or empty
     */
    public Optional<String> targetAlias() {
        return Optional.ofNullable(targetAlias);
    }

    /**
     * The session type (SessionType).
     *
     * @return discovery or normal
     */
    public SessionType sessionType() {
        return sessionType;
    }

    /**
     * The tag of the portal group that served the login (TargetPortalGroupTag).
     *
     * @return 0 to 65535
     */
    public int targetPortalGroupTag() {
        return targetPortalGroupTag;
    }

    /**
     * The authentication method used (AuthMethod).
     *
     * @return {@code None}, {@code CHAP}, ...
     */
    public String authMethod() {
        return authMethod;
    }

    /**
     * The header digest of this connection (HeaderDigest).
     *
     * @return {@link Digest#NONE} or {@link Digest#CRC32C}
     */
    public Digest headerDigest() {
        return headerDigest;
    }

    /**
     * The data digest of this connection (DataDigest).
     *
     * @return {@link Digest#NONE} or {@link Digest#CRC32C}
     */
    public Digest dataDigest() {
        return dataDigest;
    }

    /**
     * The most connections the session may have (MaxConnections).
     *
     * @return 1 to 65535
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Whether unsolicited Data-Out PDUs need an R2T first (InitialR2T).
     *
     * @return {@code true} when every Data-Out burst is solicited
     */
    public boolean initialR2T() {
        return initialR2T;
    }

    /**
     * Whether a SCSI Command PDU may carry data (ImmediateData).
     *
     * @return {@code true} when immediate data is allowed
     */
    public boolean immediateData() {
        return immediateData;
    }

    /**
     * The initiator's MaxRecvDataSegmentLength: the largest data segment, in bytes, the target may send in one
     * PDU on this connection.
     *
     * @return 512 to 2^24-1; 8192 when the initiator declared none
     */
    public int initiatorMaxRecvDataSegmentLength() {
        return initiatorMaxRecvDataSegmentLength;
    }

    /**
     * The target's MaxRecvDataSegmentLength: the largest data segment, in bytes, the initiator may send in one
     * PDU on this connection. Only what the target actually declared counts, so this is 8192 when the login
     * skipped the operational stage.
     *
     * @return 512 to 2^24-1
     */
    public int targetMaxRecvDataSegmentLength() {
        return targetMaxRecvDataSegmentLength;
    }

    /**
     * The largest Data-In sequence or solicited Data-Out burst in bytes (MaxBurstLength).
     *
     * @return 512 to 2^24-1
     */
    public int maxBurstLength() {
        return maxBurstLength;
    }

    /**
     * The most unsolicited data, immediate plus unsolicited Data-Out, per command in bytes (FirstBurstLength).
     *
     * @return 512 to {@link #maxBurstLength()}
     */
    public int firstBurstLength() {
        return firstBurstLength;
    }

    /**
     * Seconds to wait before reconnecting after a connection loss (DefaultTime2Wait).
     *
     * @return 0 to 3600
     */
    public int defaultTime2Wait() {
        return defaultTime2Wait;
    }

    /**
     * Seconds task state is kept after a connection loss (DefaultTime2Retain).
     *
     * @return 0 to 3600
     */
    public int defaultTime2Retain() {
        return defaultTime2Retain;
    }

    /**
     * R2Ts in flight per task (MaxOutstandingR2T).
     *
     * @return 1 to 65535
     */
    public int maxOutstandingR2T() {
        return maxOutstandingR2T;
    }

    /**
     * Whether the data PDUs of a sequence come in offset order (DataPDUInOrder).
     *
     * @return {@code true} when in order
     */
    public boolean dataPduInOrder() {
        return dataPduInOrder;
    }

    /**
     * Whether data sequences come in offset order (DataSequenceInOrder).
     *
     * @return {@code true} when in order
     */
    public boolean dataSequenceInOrder() {
        return dataSequenceInOrder;
    }

    /**
     * The error recovery level (ErrorRecoveryLevel).
     *
     * @return 0 to 2
     */
    public int errorRecoveryLevel() {
        return errorRecoveryLevel;
    }

    /**
     * The task reporting mode (TaskReporting).
     *
     * @return {@code RFC3720}, {@code ResponseFence} or {@code FastAbort}
     */
    public String taskReporting() {
        return taskReporting;
    }

    /**
     * The protocol level (iSCSIProtocolLevel, RFC 7144 §2.1).
     *
     * @return 0 to 31; 1 for RFC 7143
     */
    public int iscsiProtocolLevel() {
        return iscsiProtocolLevel;
    }

    @Override
    public String toString() {
        return "NegotiatedParameters[initiatorName=" + initiatorName + ", targetName=" + targetName
                + ", sessionType=" + sessionType + ", targetPortalGroupTag=" + targetPortalGroupTag
                + ", authMethod=" + authMethod + ", headerDigest=" + headerDigest + ", dataDigest=" + dataDigest
                + ", maxConnections=" + maxConnections + ", initialR2T=" + initialR2T
                + ", immediateData=" + immediateData
                + ", initiatorMaxRecvDataSegmentLength=" + initiatorMaxRecvDataSegmentLength
                + ", targetMaxRecvDataSegmentLength=" + targetMaxRecvDataSegmentLength
                + ", maxBurstLength=" + maxBurstLength + ", firstBurstLength=" + firstBurstLength
                + ", defaultTime2Wait=" + defaultTime2Wait + ", defaultTime2Retain=" + defaultTime2Retain
                + ", maxOutstandingR2T=" + maxOutstandingR2T + ", dataPduInOrder=" + dataPduInOrder
                + ", dataSequenceInOrder=" + dataSequenceInOrder + ", errorRecoveryLevel=" + errorRecoveryLevel
                + ", taskReporting=" + taskReporting + ", iscsiProtocolLevel=" + iscsiProtocolLevel + "]";
    }

    /** Collects values during a login; starts at the RFC defaults. Not thread-safe. */
    static final class Builder {

        private final String initiatorName;
        private final SessionType sessionType;
        private String initiatorAlias;
        private String targetName;
        private String targetAlias;
        private int targetPortalGroupTag;
        private String authMethod = "None";
        private Digest headerDigest = Digest.NONE;
        private Digest dataDigest = Digest.NONE;
        private int maxConnections = 1;
        private boolean initialR2T = true;
        private boolean immediateData = true;
        private int initiatorMaxRecvDataSegmentLength = 8192;
        private int targetMaxRecvDataSegmentLength = 8192;
        private int maxBurstLength = 262_144;
        private int firstBurstLength = 65_536;
        private int defaultTime2Wait = 2;
        private int defaultTime2Retain = 20;
        private int maxOutstandingR2T = 1;
        private boolean dataPduInOrder = true;
        private boolean dataSequenceInOrder = true;
        private int errorRecoveryLevel = 0;
        private String taskReporting = "RFC3720";
        private int iscsiProtocolLevel = 1;

        private Builder(String initiatorName, SessionType sessionType) {
            this.initiatorName = Objects.requireNonNull(initiatorName, "initiatorName");
            this.sessionType = Objects.requireNonNull(sessionType, "sessionType");
        }

        Builder initiatorAlias(String alias) {
            this.initiatorAlias = alias;
            return this;
        }

        Builder targetName(String name) {
            this.targetName = name;
            return this;
        }

        Builder targetAlias(String alias) {
            this.targetAlias = alias;
            return this;
        }

        Builder targetPortalGroupTag(int tag) {
            this.targetPortalGroupTag = tag;
            return this;
        }

        Builder authMethod(String method) {
            this.authMethod = method;
            return this;
        }

        Builder initiatorMaxRecvDataSegmentLength(int bytes) {
            this.initiatorMaxRecvDataSegmentLength = bytes;
            return this;
        }

        Builder targetMaxRecvDataSegmentLength(int bytes) {
            this.targetMaxRecvDataSegmentLength = bytes;
            return this;
        }

        int maxBurstLength() {
            return maxBurstLength;
        }

        int firstBurstLength() {
            return firstBurstLength;
        }

        /**
         * Records the negotiated value of a key.
         *
         * @param key a negotiable key
         * @param value the agreed value (never {@code Reject}); already validated by the key's result function
         */
        Builder negotiated(TextKey key, String value) {
            switch (key) {
                case HEADER_DIGEST:
                    headerDigest = Digest.fromWireValue(value).orElseThrow();
                    break;
                case DATA_DIGEST:
                    dataDigest = Digest.fromWireValue(value).orElseThrow();
                    break;
                case MAX_CONNECTIONS:
                    maxConnections = Integer.parseInt(value);
                    break;
                case INITIAL_R2T:
                    initialR2T = TextKey.parseBoolean(value).orElseThrow();
                    break;
                case IMMEDIATE_DATA:
                    immediateData = TextKey.parseBoolean(value).orElseThrow();
                    break;
                case MAX_BURST_LENGTH:
                    maxBurstLength = Integer.parseInt(value);
                    break;
                case FIRST_BURST_LENGTH:
                    firstBurstLength = Integer.parseInt(value);
                    break;
                case DEFAULT_TIME_2_WAIT:
                    defaultTime2Wait = Integer.parseInt(value);
                    break;
                case DEFAULT_TIME_2_RETAIN:
                    defaultTime2Retain = Integer.parseInt(value);
                    break;
                case MAX_OUTSTANDING_R2T:
                    maxOutstandingR2T = Integer.parseInt(value);
                    break;
                case DATA_PDU_IN_ORDER:
                    dataPduInOrder = TextKey.parseBoolean(value).orElseThrow();
                    break;
                case DATA_SEQUENCE_IN_ORDER:
                    dataSequenceInOrder = TextKey.parseBoolean(value).orElseThrow();
                    break;
                case ERROR_RECOVERY_LEVEL:
                    errorRecoveryLevel = Integer.parseInt(value);
                    break;
                case TASK_REPORTING:
                    taskReporting = value;
                    break;
                case ISCSI_PROTOCOL_LEVEL:
                    iscsiProtocolLevel = Integer.parseInt(value);
                    break;
                default:
                    // the obsolete marker keys leave nothing to record: markers stay off
                    break;
            }
            return this;
        }

        NegotiatedParameters build() {
            return new NegotiatedParameters(this);
        }
    }
}
