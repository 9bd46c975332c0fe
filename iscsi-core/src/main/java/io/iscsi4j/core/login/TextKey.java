package io.iscsi4j.core.login;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The registry of iSCSI text keys: the security key of RFC 7143 §12, the operational keys of §13, the
 * {@code iSCSIProtocolLevel} key of RFC 7144 §2.1, and the marker keys §13.26 obsoletes. Each key records its
 * {@linkplain Type type and result function}, default, range, {@linkplain Scope scope},
 * {@linkplain Use phase use}, {@linkplain Sender senders}, whether it is irrelevant in a discovery session, and
 * whether it may appear in the security stage ("Any-Stage").
 *
 * <p>Keys not listed here (private {@code X-} and public {@code X#} extensions, authentication-method keys
 * such as {@code CHAP_A}) are answered {@code NotUnderstood} unless an authentication exchange consumes them.
 *
 * @since 0.1.0
 */
public enum TextKey {

    /** AuthMethod: the authentication method (§12.1); security stage only; chosen by the authenticator. */
    AUTH_METHOD("AuthMethod", Type.LIST, "None", 0, 0, Scope.CONNECTION_ONLY, Use.SECURITY_NEGOTIATION_ONLY,
            Sender.BOTH, false, true, null),

    /** HeaderDigest: {@code None} or {@code CRC32C} for the headers of this connection (§13.1). */
    HEADER_DIGEST("HeaderDigest", Type.LIST, "None", 0, 0, Scope.CONNECTION_ONLY, Use.INITIALIZE_ONLY,
            Sender.BOTH, false, false, null),

    /** DataDigest: {@code None} or {@code CRC32C} for the data segments of this connection (§13.1). */
    DATA_DIGEST("DataDigest", Type.LIST, "None", 0, 0, Scope.CONNECTION_ONLY, Use.INITIALIZE_ONLY,
            Sender.BOTH, false, false, null),

    /** MaxConnections: connections per session, 1 to 65535, Minimum (§13.2). */
    MAX_CONNECTIONS("MaxConnections", Type.NUMERIC_MIN, "1", 1, 65535, Scope.SESSION_WIDE, Use.LEADING_ONLY,
            Sender.BOTH, true, false, null),

    /** SendTargets: asks for target names and addresses; full feature phase only (§13.3, Appendix C). */
    SEND_TARGETS("SendTargets", Type.DECLARATIVE, null, 0, 0, Scope.SESSION_WIDE, Use.FULL_FEATURE_ONLY,
            Sender.INITIATOR, false, false, null),

    /** TargetName: the target an initiator logs in to; or a SendTargets answer (§13.4). */
    TARGET_NAME("TargetName", Type.DECLARATIVE, null, 0, 0, Scope.SESSION_WIDE, Use.INITIALIZE_ONLY,
            Sender.BOTH, false, true, null),

    /** InitiatorName: the initiator's iSCSI name, required in the first login request (§13.5). */
    INITIATOR_NAME("InitiatorName", Type.DECLARATIVE, null, 0, 0, Scope.SESSION_WIDE, Use.INITIALIZE_ONLY,
            Sender.INITIATOR, false, true, null),

    /** TargetAlias: the target's human-readable name (§13.6). */
    TARGET_ALIAS("TargetAlias", Type.DECLARATIVE, null, 0, 0, Scope.SESSION_WIDE, Use.ALL, Sender.TARGET,
            false, true, null),

    /** InitiatorAlias: the initiator's human-readable name (§13.7). */
    INITIATOR_ALIAS("InitiatorAlias", Type.DECLARATIVE, null, 0, 0, Scope.SESSION_WIDE, Use.ALL,
            Sender.INITIATOR, false, true, null),

    /** TargetAddress: {@code host[:port][,tag]} of a portal; in SendTargets answers and redirects (§13.8). */
    TARGET_ADDRESS("TargetAddress", Type.DECLARATIVE, null, 0, 0, Scope.SESSION_WIDE, Use.ALL, Sender.TARGET,
            false, true, null),

    /** TargetPortalGroupTag: the tag of the portal group serving a login, 0 to 65535 (§13.9). */
    TARGET_PORTAL_GROUP_TAG("TargetPortalGroupTag", Type.DECLARATIVE, null, 0, 65535, Scope.SESSION_WIDE,
            Use.INITIALIZE_ONLY, Sender.TARGET, false, true, null),

    /** InitialR2T: whether unsolicited Data-Out needs an R2T first; Yes by default, OR (§13.10). */
    INITIAL_R2T("InitialR2T", Type.BOOLEAN_OR, "Yes", 0, 0, Scope.SESSION_WIDE, Use.LEADING_ONLY, Sender.BOTH,
            true, false, null),

    /** ImmediateData: whether a SCSI command may carry data; Yes by default, AND (§13.11). */
    IMMEDIATE_DATA("ImmediateData", Type.BOOLEAN_AND, "Yes", 0, 0, Scope.SESSION_WIDE, Use.LEADING_ONLY,
            Sender.BOTH, true, false, null),

    /** MaxRecvDataSegmentLength: what the declaring side can receive per PDU, 512 to 2^24-1 (§13.12). */
    MAX_RECV_DATA_SEGMENT_LENGTH("MaxRecvDataSegmentLength", Type.DECLARATIVE, "8192", 512, 16_777_215,
            Scope.CONNECTION_ONLY, Use.ALL, Sender.BOTH, false, false, null),

    /** MaxBurstLength: largest solicited burst or Data-In sequence, 512 to 2^24-1, Minimum (§13.13). */
    MAX_BURST_LENGTH("MaxBurstLength", Type.NUMERIC_MIN, "262144", 512, 16_777_215, Scope.SESSION_WIDE,
            Use.LEADING_ONLY, Sender.BOTH, true, false, null),

    /** FirstBurstLength: most unsolicited data per command, 512 to 2^24-1, Minimum (§13.14). */
    FIRST_BURST_LENGTH("FirstBurstLength", Type.NUMERIC_MIN, "65536", 512, 16_777_215, Scope.SESSION_WIDE,
            Use.LEADING_ONLY, Sender.BOTH, true, false, null),

    /** DefaultTime2Wait: seconds to wait before reconnecting, 0 to 3600, Maximum (§13.15). */
    DEFAULT_TIME_2_WAIT("DefaultTime2Wait", Type.NUMERIC_MAX, "2", 0, 3600, Scope.SESSION_WIDE,
            Use.LEADING_ONLY, Sender.BOTH, false, false, null),

    /** DefaultTime2Retain: seconds task state is kept after a connection loss, 0 to 3600, Minimum (§13.16). */
    DEFAULT_TIME_2_RETAIN("DefaultTime2Retain", Type.NUMERIC_MIN, "20", 0, 3600, Scope.SESSION_WIDE,
            Use.LEADING_ONLY, Sender.BOTH, false, false, null),

    /** MaxOutstandingR2T: R2Ts in flight per task, 1 to 65535, Minimum (§13.17). */
    MAX_OUTSTANDING_R2T("MaxOutstandingR2T", Type.NUMERIC_MIN, "1", 1, 65535, Scope.SESSION_WIDE,
            Use.LEADING_ONLY, Sender.BOTH, true, false, null),

    /** DataPDUInOrder: whether data PDUs of a sequence come in offset order; Yes by default, OR (§13.18). */
    DATA_PDU_IN_ORDER("DataPDUInOrder", Type.BOOLEAN_OR, "Yes", 0, 0, Scope.SESSION_WIDE, Use.LEADING_ONLY,
            Sender.BOTH, true, false, null),

    /** DataSequenceInOrder: whether data sequences come in offset order; Yes by default, OR (§13.19). */
    DATA_SEQUENCE_IN_ORDER("DataSequenceInOrder", Type.BOOLEAN_OR, "Yes", 0, 0, Scope.SESSION_WIDE,
            Use.LEADING_ONLY, Sender.BOTH, true, false, null),

    /** ErrorRecoveryLevel: 0 to 2, Minimum (§13.20). */
    ERROR_RECOVERY_LEVEL("ErrorRecoveryLevel", Type.NUMERIC_MIN, "0", 0, 2, Scope.SESSION_WIDE,
            Use.LEADING_ONLY, Sender.BOTH, false, false, null),

    /** SessionType: {@code Discovery} or {@code Normal}, declared by the initiator (§13.21). */
    SESSION_TYPE("SessionType", Type.DECLARATIVE, "Normal", 0, 0, Scope.SESSION_WIDE, Use.LEADING_ONLY,
            Sender.INITIATOR, false, true, null),

    /** TaskReporting: {@code RFC3720}, {@code ResponseFence} or {@code FastAbort} (§13.23). */
    TASK_REPORTING("TaskReporting", Type.LIST, "RFC3720", 0, 0, Scope.SESSION_WIDE, Use.LEADING_ONLY,
            Sender.BOTH, true, false, null),

    /** iSCSIProtocolLevel: 0 to 31, Minimum; RFC 7143 is level 1 (RFC 7144 §2.1). */
    ISCSI_PROTOCOL_LEVEL("iSCSIProtocolLevel", Type.NUMERIC_MIN, "1", 0, 31, Scope.SESSION_WIDE,
            Use.LEADING_ONLY, Sender.BOTH, true, false, null),

    /** OFMarker: obsolete (§13.26); answered {@code No}, which §13.26 allows, so markers stay off. */
    OF_MARKER("OFMarker", Type.BOOLEAN_AND, "No", 0, 0, Scope.CONNECTION_ONLY, Use.INITIALIZE_ONLY,
            Sender.BOTH, false, false, "No"),

    /** IFMarker: obsolete (§13.26); answered {@code No}, which §13.26 allows, so markers stay off. */
    IF_MARKER("IFMarker", Type.BOOLEAN_AND, "No", 0, 0, Scope.CONNECTION_ONLY, Use.INITIALIZE_ONLY,
            Sender.BOTH, false, false, "No"),

    /** OFMarkInt: obsolete; §13.26 requires the answer {@code Reject}. */
    OF_MARK_INT("OFMarkInt", Type.NUMERIC_MIN, "2048", 1, 65535, Scope.CONNECTION_ONLY, Use.INITIALIZE_ONLY,
            Sender.BOTH, false, false, "Reject"),

    /** IFMarkInt: obsolete; §13.26 requires the answer {@code Reject}. */
    IF_MARK_INT("IFMarkInt", Type.NUMERIC_MIN, "2048", 1, 65535, Scope.CONNECTION_ONLY, Use.INITIALIZE_ONLY,
            Sender.BOTH, false, false, "Reject");

    /** Reserved answer: the offered value is not admissible (RFC 7143 §6.2). */
    public static final String REJECT = "Reject";

    /** Reserved answer: the key does not apply in this session (RFC 7143 §6.2). */
    public static final String IRRELEVANT = "Irrelevant";

    /** Reserved answer: the key is unknown (RFC 7143 §6.2). */
    public static final String NOT_UNDERSTOOD = "NotUnderstood";

    private static final Map<String, TextKey> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(TextKey::wireName, Function.identity()));

    /** How a key's value is negotiated (RFC 7143 §6.2): the result function. */
    public enum Type {
        /** Yes/No; the result is Yes only when both sides say Yes. */
        BOOLEAN_AND,
        /** Yes/No; the result is Yes when either side says Yes. */
        BOOLEAN_OR,
        /** A number in a range; the result is the smaller of offer and answer. */
        NUMERIC_MIN,
        /** A number in a range; the result is the larger of offer and answer. */
        NUMERIC_MAX,
        /** An ordered list of choices; the answer is the first offered choice the responder supports. */
        LIST,
        /** Declared, not negotiated: no answer is due. */
        DECLARATIVE
    }

    /** Whether a key applies to the whole session or to one connection (RFC 7143 §13). */
    public enum Scope {
        /** SW: session-wide. */
        SESSION_WIDE,
        /** CO: connection-only. */
        CONNECTION_ONLY
    }

    /** When a key may be sent (RFC 7143 §13). */
    public enum Use {
        /** Security stage of a login only (AuthMethod and the authentication-method keys). */
        SECURITY_NEGOTIATION_ONLY,
        /** LO: during the login of the leading (first) connection of a session only. */
        LEADING_ONLY,
        /** IO: during login only. */
        INITIALIZE_ONLY,
        /** FFPO: in full feature phase only. */
        FULL_FEATURE_ONLY,
        /** ALL: during login and in full feature phase. */
        ALL
    }

    /** Who may send a key. */
    public enum Sender {
        /** The initiator only. */
        INITIATOR,
        /** The target only. */
        TARGET,
        /** Either side. */
        BOTH
    }

    private final String wireName;
    private final Type type;
    private final String defaultValue;
    private final long minimum;
    private final long maximum;
    private final Scope scope;
    private final Use use;
    private final Sender sender;
    private final boolean irrelevantInDiscovery;
    private final boolean anyStage;
    private final String obsoleteAnswer;

    TextKey(String wireName, Type type, String defaultValue, long minimum, long maximum, Scope scope, Use use,
            Sender sender, boolean irrelevantInDiscovery, boolean anyStage, String obsoleteAnswer) {
        this.wireName = wireName;
        this.type = type;
        this.defaultValue = defaultValue;
        this.minimum = minimum;
        this.maximum = maximum;
        this.scope = scope;
        this.use = use;
        this.sender = sender;
        this.irrelevantInDiscovery = irrelevantInDiscovery;
        this.anyStage = anyStage;
        this.obsoleteAnswer = obsoleteAnswer;
    }

    /**
     * Finds a key by its name on the wire.
     *
     * @param wireName the key name, compared case-sensitively
     * @return the key, or empty for an unknown key
     */
    public static Optional<TextKey> byWireName(String wireName) {
        return Optional.ofNullable(BY_WIRE_NAME.get(wireName));
    }

    /**
     * The key name on the wire.
     *
     * @return e.g. {@code MaxBurstLength}
     */
    public String wireName() {
        return wireName;
    }

    /**
     * How the key is negotiated.
     *
     * @return the type with its result function
     */
    public Type type() {
        return type;
    }

    /**
     * The value in force when the key is not negotiated.
     *
     * @return the RFC default, or empty for keys without one (names, addresses)
     */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /**
     * The smallest admissible value of a numeric key.
     *
     * @return the lower bound, or empty for non-numeric keys
     */
    public OptionalLong minimum() {
        return isNumeric() ? OptionalLong.of(minimum) : OptionalLong.empty();
    }

    /**
     * The largest admissible value of a numeric key.
     *
     * @return the upper bound, or empty for non-numeric keys
     */
    public OptionalLong maximum() {
        return isNumeric() ? OptionalLong.of(maximum) : OptionalLong.empty();
    }

    /**
     * Whether the key is session-wide or connection-only.
     *
     * @return the scope
     */
    public Scope scope() {
        return scope;
    }

    /**
     * When the key may be sent.
     *
     * @return the use
     */
    public Use use() {
        return use;
    }

    /**
     * Who may send the key.
     *
     * @return the sender
     */
    public Sender sender() {
        return sender;
    }

    /**
     * Whether the key is answered {@code Irrelevant} in a discovery session (RFC 7143 §13: "Irrelevant when:
     * SessionType=Discovery").
     *
     * @return {@code true} for the data-movement keys
     */
    public boolean irrelevantInDiscovery() {
        return irrelevantInDiscovery;
    }

    /**
     * Whether the key may appear in the security stage as well as the operational stage ("Any-Stage").
     *
     * @return {@code true} for the names, aliases, addresses, SessionType and AuthMethod
     */
    public boolean allowedInSecurityStage() {
        return anyStage;
    }

    /**
     * The fixed answer to a key RFC 7143 §13.26 obsoletes.
     *
     * @return {@code No} for the marker switches, {@code Reject} for the marker intervals, else empty
     */
    public Optional<String> obsoleteAnswer() {
        return Optional.ofNullable(obsoleteAnswer);
    }

    /**
     * Whether the value is a number with a range.
     *
     * @return {@code true} for the minimum/maximum keys and the numeric declarations
     */
    boolean isNumeric() {
        return type == Type.NUMERIC_MIN || type == Type.NUMERIC_MAX || maximum > 0;
    }

    /**
     * The result function of RFC 7143 §6.2 as applied by the responder: what to answer to {@code offered} when
     * the responder's own value is {@code responderValue}.
     *
     * <ul>
     *   <li>Booleans: {@code Yes}/{@code No} combined with AND or OR.</li>
     *   <li>Numbers: the minimum or maximum of the two; an offer outside the key's range is not admissible.</li>
     *   <li>Lists: the first offered choice that {@code responderValue} (a comma-separated list of acceptable
     *       choices) contains; unknown choices are skipped.</li>
     * </ul>
     * An offer that is not admissible (malformed, out of range, no acceptable choice) is answered
     * {@link #REJECT}.
     *
     * @param offered the value the initiator offered
     * @param responderValue the target's own value: {@code Yes}/{@code No}, a number, or the acceptable choices
     * @return the answer, which becomes the negotiated value unless it is {@link #REJECT}
     * @throws IllegalStateException for a declarative key, which is not negotiated
     */
    String negotiate(String offered, String responderValue) {
        switch (type) {
            case BOOLEAN_AND:
            case BOOLEAN_OR: {
                Optional<Boolean> offer = parseBoolean(offered);
                if (offer.isEmpty()) {
                    return REJECT;
                }
                boolean mine = parseBoolean(responderValue)
                        .orElseThrow(() -> new IllegalArgumentException("not Yes/No: " + responderValue));
                boolean result = type == Type.BOOLEAN_AND ? offer.get() && mine : offer.get() || mine;
                return result ? "Yes" : "No";
            }
            case NUMERIC_MIN:
            case NUMERIC_MAX: {
                OptionalLong offer = parseNumber(offered);
                if (offer.isEmpty() || !inRange(offer.getAsLong())) {
                    return REJECT;
                }
                long mine = parseNumber(responderValue)
                        .orElseThrow(() -> new IllegalArgumentException("not a number: " + responderValue));
                long result = type == Type.NUMERIC_MIN ? Math.min(offer.getAsLong(), mine)
                        : Math.max(offer.getAsLong(), mine);
                return Long.toString(result);
            }
            case LIST: {
                Set<String> acceptable = splitList(responderValue);
                for (String choice : splitList(offered)) {
                    if (acceptable.contains(choice)) {
                        return choice;
                    }
                }
                return REJECT;
            }
            default:
                throw new IllegalStateException(wireName + " is declarative, not negotiated");
        }
    }

    /**
     * Whether a number lies in this key's range.
     *
     * @param value a number
     * @return {@code true} when admissible
     */
    boolean inRange(long value) {
        return value >= minimum && value <= maximum;
    }

    /**
     * Parses an RFC 7143 §6.1 boolean value.
     *
     * @param text the value
     * @return {@code true} for {@code Yes}, {@code false} for {@code No}, else empty
     */
    static Optional<Boolean> parseBoolean(String text) {
        if ("Yes".equals(text)) {
            return Optional.of(Boolean.TRUE);
        }
        if ("No".equals(text)) {
            return Optional.of(Boolean.FALSE);
        }
        return Optional.empty();
    }

    /**
     * Parses an RFC 7143 §6.1 numerical value: a decimal constant, or a hex constant with {@code 0x} or
     * {@code 0X}.
     *
     * @param text the value
     * @return the number, or empty when malformed or longer than 18 decimal or 15 hex digits (far beyond every
     *     key's range)
     */
    static OptionalLong parseNumber(String text) {
        int radix = 10;
        String digits = text;
        if (text.startsWith("0x") || text.startsWith("0X")) {
            radix = 16;
            digits = text.substring(2);
        }
        if (digits.isEmpty() || digits.length() > (radix == 16 ? 15 : 18)) {
            return OptionalLong.empty();
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int digit = asciiDigit(digits.charAt(i), radix);
            if (digit < 0) {
                return OptionalLong.empty();
            }
            value = value * radix + digit;
        }
        return OptionalLong.of(value);
    }

    private static int asciiDigit(char c, int radix) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (radix == 16 && c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (radix == 16 && c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Splits a list value at commas, dropping empty items.
     *
     * @param list e.g. {@code CRC32C,None}
     * @return the items in order
     */
    static Set<String> splitList(String list) {
        Set<String> items = new LinkedHashSet<>();
        for (String item : list.split(",", -1)) {
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        return items;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
