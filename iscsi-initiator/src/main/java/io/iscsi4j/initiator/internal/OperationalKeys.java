package io.iscsi4j.initiator.internal;

import io.iscsi4j.initiator.LoginOptions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The initiator's side of operational text negotiation (RFC 7143 §6.2, §13): what it proposes, how it answers
 * a key the target proposes, and the negotiated values. One instance per login; not thread-safe.
 */
public final class OperationalKeys {

    /** How a key's outcome is computed (RFC 7143 §6.2.1, §13). */
    enum Kind {
        /** A list of values; the responder picks the first it supports. */
        DIGEST_LIST,
        /** Boolean, result is the OR of both sides. */
        OR,
        /** Boolean, result is the AND of both sides. */
        AND,
        /** Numerical, result is the minimum. */
        MIN,
        /** Numerical, result is the maximum. */
        MAX,
        /** Declarative: each side states its own value, nothing to answer. */
        DECLARATIVE
    }

    private static final Map<String, Kind> KINDS = new HashMap<>();

    static {
        KINDS.put("HeaderDigest", Kind.DIGEST_LIST);
        KINDS.put("DataDigest", Kind.DIGEST_LIST);
        KINDS.put("InitialR2T", Kind.OR);
        KINDS.put("DataPDUInOrder", Kind.OR);
        KINDS.put("DataSequenceInOrder", Kind.OR);
        KINDS.put("ImmediateData", Kind.AND);
        KINDS.put("MaxConnections", Kind.MIN);
        KINDS.put("MaxBurstLength", Kind.MIN);
        KINDS.put("FirstBurstLength", Kind.MIN);
        KINDS.put("MaxOutstandingR2T", Kind.MIN);
        KINDS.put("DefaultTime2Retain", Kind.MIN);
        KINDS.put("ErrorRecoveryLevel", Kind.MIN);
        KINDS.put("iSCSIProtocolLevel", Kind.MIN);
        KINDS.put("DefaultTime2Wait", Kind.MAX);
        KINDS.put("MaxRecvDataSegmentLength", Kind.DECLARATIVE);
        KINDS.put("TargetAlias", Kind.DECLARATIVE);
        KINDS.put("TargetAddress", Kind.DECLARATIVE);
        KINDS.put("TargetPortalGroupTag", Kind.DECLARATIVE);
        KINDS.put("TargetName", Kind.DECLARATIVE);
    }

    private final LoginOptions options;
    private final boolean discovery;
    /** This initiator's values (what it proposes, or answers with). */
    private final Map<String, String> mine = new LinkedHashMap<>();
    /** Negotiated outcomes and the target's declarations. */
    private final Map<String, String> results = new HashMap<>();
    private final Map<String, String> proposed = new HashMap<>();

    /**
     * Negotiation for a login.
     *
     * @param options the preferences
     * @param discovery whether the session is a discovery session (fewer keys)
     */
    public OperationalKeys(LoginOptions options, boolean discovery) {
        this.options = options;
        this.discovery = discovery;
        mine.put("HeaderDigest", options.headerDigest() ? "CRC32C,None" : "None");
        mine.put("DataDigest", options.dataDigest() ? "CRC32C,None" : "None");
        mine.put("MaxRecvDataSegmentLength", Integer.toString(options.maxRecvDataSegmentLength()));
        if (!discovery) {
            mine.put("MaxConnections", "1");
            mine.put("InitialR2T", yesNo(options.initialR2T()));
            mine.put("ImmediateData", yesNo(options.immediateData()));
            mine.put("MaxBurstLength", Integer.toString(options.maxBurstLength()));
            mine.put("FirstBurstLength", Integer.toString(options.firstBurstLength()));
            mine.put("DefaultTime2Wait", "2");
            mine.put("DefaultTime2Retain", "0");
            mine.put("MaxOutstandingR2T", Integer.toString(options.maxOutstandingR2T()));
            mine.put("DataPDUInOrder", "Yes");
            mine.put("DataSequenceInOrder", "Yes");
            mine.put("ErrorRecoveryLevel", "0");
        }
        mine.put("iSCSIProtocolLevel", "1");
    }

    /**
     * The keys this initiator proposes in its first operational request; remembered as proposed.
     *
     * @return the pairs, in order
     */
    public Map<String, String> proposals() {
        Map<String, String> out = new LinkedHashMap<>(mine);
        if (discovery) {
            out.remove("iSCSIProtocolLevel");
        }
        proposed.putAll(out);
        return out;
    }

    /**
     * Takes the target's keys of one response: answers to this initiator's proposals are recorded; keys the target
     * proposes get an answer, returned to be sent in the next request.
     *
     * @param pairs the target's pairs
     * @return the answers to send (possibly empty)
     */
    public Map<String, String> accept(List<Map.Entry<String, String>> pairs) {
        Map<String, String> answers = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs) {
            String key = pair.getKey();
            String value = pair.getValue();
            Kind kind = KINDS.get(key);
            if (proposed.containsKey(key)) {
                if (kind != Kind.DECLARATIVE && !isSpecial(value)) {
                    results.put(key, value);
                } else if (kind == Kind.DECLARATIVE && key.equals("MaxRecvDataSegmentLength")) {
                    results.put("TargetMaxRecvDataSegmentLength", value);
                }
                continue;
            }
            if (kind == null) {
                if (!key.startsWith("CHAP_") && !key.equals("AuthMethod")) {
                    answers.put(key, "NotUnderstood");
                }
                continue;
            }
            switch (kind) {
                case DECLARATIVE -> results.put(key.equals("MaxRecvDataSegmentLength")
                        ? "TargetMaxRecvDataSegmentLength" : key, value);
                case DIGEST_LIST -> {
                    boolean wanted = key.equals("HeaderDigest") ? options.headerDigest() : options.dataDigest();
                    List<String> offered = List.of(value.split(","));
                    String pick = wanted && offered.contains("CRC32C") ? "CRC32C"
                            : offered.contains("None") ? "None" : offered.contains("CRC32C") ? "CRC32C" : "Reject";
                    answers.put(key, pick);
                    if (!pick.equals("Reject")) {
                        results.put(key, pick);
                    }
                }
                case OR, AND -> {
                    if (!value.equals("Yes") && !value.equals("No")) {
                        answers.put(key, "Reject");
                        continue;
                    }
                    boolean theirs = value.equals("Yes");
                    boolean my = !mine.containsKey(key) || mine.get(key).equals("Yes");
                    boolean result = kind == Kind.OR ? theirs || my : theirs && my;
                    answers.put(key, yesNo(my));
                    results.put(key, yesNo(result));
                }
                case MIN, MAX -> {
                    long theirs;
                    try {
                        theirs = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        answers.put(key, "Reject");
                        continue;
                    }
                    long my = mine.containsKey(key) ? Long.parseLong(mine.get(key)) : theirs;
                    long result = kind == Kind.MIN ? Math.min(theirs, my) : Math.max(theirs, my);
                    answers.put(key, Long.toString(result));
                    results.put(key, Long.toString(result));
                }
                default -> throw new IllegalStateException(kind.toString());
            }
            proposed.put(key, answers.getOrDefault(key, value));
        }
        return answers;
    }

    private static boolean isSpecial(String value) {
        return value.equals("NotUnderstood") || value.equals("Irrelevant") || value.equals("Reject");
    }

    private static String yesNo(boolean b) {
        return b ? "Yes" : "No";
    }

    /**
     * A negotiated value, or the RFC default if the key was not negotiated.
     *
     * @param key the key
     * @param defaultValue the default
     * @return the value
     */
    public String result(String key, String defaultValue) {
        return results.getOrDefault(key, defaultValue);
    }

    /**
     * A negotiated boolean.
     *
     * @param key the key
     * @param defaultValue the default
     * @return the value
     */
    public boolean bool(String key, boolean defaultValue) {
        return result(key, defaultValue ? "Yes" : "No").toLowerCase(Locale.ROOT).equals("yes");
    }

    /**
     * A negotiated number.
     *
     * @param key the key
     * @param defaultValue the default
     * @return the value (the default if the target sent something that is not a number)
     */
    public int number(String key, int defaultValue) {
        try {
            return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(result(key, Integer.toString(defaultValue))));
        } catch (NumberFormatException e) {
            return defaultValue;
        }
    }
}
