package io.iscsi4j.initiator.internal;

import io.iscsi4j.initiator.ChapAlgorithm;
import io.iscsi4j.initiator.LoginException;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.initiator.SessionParameters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The login phase of one connection, initiator side (RFC 7143 §6.3, §11.12, §11.13), as a state machine without
 * I/O: the text of the first request, then for each Login Response the text of the next request or the end.
 * Stage transitions:
 *
 * <pre>
 * AUTH_METHOD ──(no CHAP, T)──────────────────────────────► OPERATIONAL ──(T, NSG=3)──► DONE
 *      └─(AuthMethod=CHAP)─► CHAP_ALGORITHM ─► CHAP_RESPONSE ─(T)─┘
 * any ──(Status-Class ≠ 0, mutual CHAP mismatch, protocol violation)──► FAILED
 * </pre>
 *
 * <p>Not thread-safe: one connection drives it.
 */
public final class LoginDriver {

    /** Where the login is. */
    public enum Stage {
        /** The first security request (AuthMethod) was sent. */
        AUTH_METHOD,
        /** CHAP_A was sent; waiting for the challenge. */
        CHAP_ALGORITHM,
        /** CHAP_N and CHAP_R were sent; waiting for the target to agree (and, for mutual CHAP, its response). */
        CHAP_RESPONSE,
        /** Operational keys were sent; waiting for the target's final response. */
        OPERATIONAL,
        /** Full feature phase. */
        DONE,
        /** The login failed. */
        FAILED
    }

    /**
     * What to send next: the login stage fields and text of a Login Request.
     *
     * @param csg the current stage (0 security, 1 operational)
     * @param nsg the next stage, meaningful when {@code transit}
     * @param transit the T bit
     * @param text the keys to send
     */
    public record Request(int csg, int nsg, boolean transit, Map<String, String> text) {
    }

    private final LoginOptions options;
    private final String initiatorName;
    private final String targetName;
    private final long isid;
    private final OperationalKeys keys;
    private Stage stage = Stage.AUTH_METHOD;
    private ChapAlgorithm algorithm;
    private byte[] mutualChallenge;
    private int mutualIdentifier;
    private int tsih;
    private int targetPortalGroupTag = -1;

    /**
     * A login.
     *
     * @param options credentials and preferences
     * @param initiatorName this initiator's name
     * @param targetName the target, or {@code null} for a discovery session
     * @param isid the ISID
     */
    public LoginDriver(LoginOptions options, String initiatorName, String targetName, long isid) {
        this.options = options;
        this.initiatorName = initiatorName;
        this.targetName = targetName;
        this.isid = isid;
        this.keys = new OperationalKeys(options, targetName == null);
    }

    /**
     * The current stage.
     *
     * @return the stage
     */
    public Stage stage() {
        return stage;
    }

    /**
     * The first request: the leading keys and AuthMethod.
     *
     * @return the request
     */
    public Request first() {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("InitiatorName", initiatorName);
        if (targetName == null) {
            text.put("SessionType", "Discovery");
        } else {
            text.put("TargetName", targetName);
            text.put("SessionType", "Normal");
        }
        text.put("AuthMethod", options.usesChap() ? "CHAP,None" : "None");
        boolean transit = !options.usesChap();
        return new Request(0, 1, transit, text);
    }

    /**
     * Takes a complete (C bit clear) Login Response.
     *
     * @param statusClass its Status-Class
     * @param statusDetail its Status-Detail
     * @param transit its T bit
     * @param nsg its NSG
     * @param responseTsih its TSIH
     * @param text its text
     * @return the next request, or {@code null} when the login is complete ({@link #stage()} is DONE)
     * @throws LoginException when the login failed
     */
    public Request onResponse(int statusClass, int statusDetail, boolean transit, int nsg, int responseTsih,
                              List<Map.Entry<String, String>> text) throws LoginException {
        if (statusClass != 0) {
            stage = Stage.FAILED;
            throw new LoginException("the target refused the login: " + describe(statusClass, statusDetail),
                    statusClass, statusDetail);
        }
        Map<String, String> map = new LinkedHashMap<>();
        text.forEach(e -> map.putIfAbsent(e.getKey(), e.getValue()));
        String tpgt = map.get("TargetPortalGroupTag");
        if (tpgt != null) {
            try {
                targetPortalGroupTag = Integer.parseInt(tpgt);
            } catch (NumberFormatException e) {
                targetPortalGroupTag = -1;
            }
        }
        switch (stage) {
            case AUTH_METHOD -> {
                String method = map.getOrDefault("AuthMethod", "None");
                if (method.equals("CHAP")) {
                    if (!options.usesChap()) {
                        throw fail("the target chose CHAP but no credentials were given");
                    }
                    StringJoiner codes = new StringJoiner(",");
                    options.chapAlgorithms().forEach(a -> codes.add(Integer.toString(a.code())));
                    stage = Stage.CHAP_ALGORITHM;
                    return new Request(0, 1, false, Map.of("CHAP_A", codes.toString()));
                }
                if (options.usesMutualChap()) {
                    throw fail("mutual CHAP was required but the target chose AuthMethod=" + TextCodec.printable(method));
                }
                if (!transit) {
                    if (options.usesChap()) {
                        // we offered CHAP,None and the target chose None: move on
                        return new Request(0, 1, true, Map.of());
                    }
                    throw fail("the target did not leave the security stage without authentication");
                }
                return enterOperational(nsg);
            }
            case CHAP_ALGORITHM -> {
                String a = map.get("CHAP_A");
                String i = map.get("CHAP_I");
                String c = map.get("CHAP_C");
                if (a == null || i == null || c == null) {
                    throw fail("the target's challenge lacks CHAP_A, CHAP_I or CHAP_C");
                }
                try {
                    algorithm = ChapAlgorithm.fromCode(Integer.parseInt(a));
                    int identifier = Integer.parseInt(i);
                    if (algorithm == null || !options.chapAlgorithms().contains(algorithm) || identifier < 0
                            || identifier > 255) {
                        throw fail("the target chose CHAP_A=" + TextCodec.printable(a) + " with CHAP_I="
                                + TextCodec.printable(i));
                    }
                    byte[] challenge = TextCodec.binary(c);
                    byte[] response = ChapResponder.response(algorithm, identifier, options.chapSecret(), challenge);
                    Map<String, String> out = new LinkedHashMap<>();
                    out.put("CHAP_N", options.chapUser());
                    out.put("CHAP_R", TextCodec.hex(response));
                    if (options.usesMutualChap()) {
                        mutualIdentifier = ChapResponder.identifier();
                        mutualChallenge = ChapResponder.challenge();
                        out.put("CHAP_I", Integer.toString(mutualIdentifier));
                        out.put("CHAP_C", TextCodec.hex(mutualChallenge));
                    }
                    stage = Stage.CHAP_RESPONSE;
                    return new Request(0, 1, true, out);
                } catch (IllegalArgumentException e) {
                    throw fail("the target's challenge is malformed: " + e.getMessage());
                }
            }
            case CHAP_RESPONSE -> {
                if (options.usesMutualChap()) {
                    String n = map.get("CHAP_N");
                    String r = map.get("CHAP_R");
                    if (n == null || r == null) {
                        throw fail("the target did not answer the mutual CHAP challenge");
                    }
                    byte[] expected = ChapResponder.response(algorithm, mutualIdentifier, options.targetChapSecret(),
                            mutualChallenge);
                    byte[] received;
                    try {
                        received = TextCodec.binary(r);
                    } catch (IllegalArgumentException e) {
                        throw fail("the target's CHAP_R is malformed");
                    }
                    if (!n.equals(options.targetChapUser()) || !ChapResponder.matches(expected, received)) {
                        throw fail("mutual CHAP: the target did not authenticate as " + options.targetChapUser());
                    }
                }
                if (!transit) {
                    throw fail("the target did not leave the security stage after CHAP");
                }
                return enterOperational(nsg);
            }
            case OPERATIONAL -> {
                Map<String, String> answers = keys.accept(text);
                if (transit && nsg == 3) {
                    tsih = responseTsih;
                    stage = Stage.DONE;
                    return null;
                }
                return new Request(1, 3, true, answers);
            }
            default -> throw new IllegalStateException("login is " + stage);
        }
    }

    private Request enterOperational(int nsg) throws LoginException {
        if (nsg == 3) {
            throw fail("the target skipped the operational stage; this initiator needs it to negotiate");
        }
        stage = Stage.OPERATIONAL;
        return new Request(1, 3, true, keys.proposals());
    }

    private LoginException fail(String message) {
        stage = Stage.FAILED;
        return new LoginException(message, 0, 0);
    }

    /**
     * The negotiated parameters; only once {@link Stage#DONE}.
     *
     * @return the parameters
     */
    public SessionParameters parameters() {
        if (stage != Stage.DONE) {
            throw new IllegalStateException("login is " + stage);
        }
        return new SessionParameters(targetName, isid, tsih, targetPortalGroupTag,
                keys.result("HeaderDigest", "None").equals("CRC32C"),
                keys.result("DataDigest", "None").equals("CRC32C"),
                keys.bool("InitialR2T", true), keys.bool("ImmediateData", true),
                keys.number("MaxBurstLength", 262_144), keys.number("FirstBurstLength", 65_536),
                keys.number("MaxOutstandingR2T", 1), options.maxRecvDataSegmentLength(),
                keys.number("TargetMaxRecvDataSegmentLength", 8192),
                keys.bool("DataPDUInOrder", true), keys.bool("DataSequenceInOrder", true),
                keys.number("ErrorRecoveryLevel", 0), keys.number("DefaultTime2Wait", 2),
                keys.number("DefaultTime2Retain", 20));
    }

    /**
     * A login status as text (RFC 7143 §11.13.5).
     *
     * @param statusClass the class
     * @param statusDetail the detail
     * @return for example {@code "0201 authentication failure"}
     */
    public static String describe(int statusClass, int statusDetail) {
        String name = switch (statusClass << 8 | statusDetail) {
            case 0x0101 -> "target moved temporarily";
            case 0x0102 -> "target moved permanently";
            case 0x0200 -> "initiator error";
            case 0x0201 -> "authentication failure";
            case 0x0202 -> "authorization failure";
            case 0x0203 -> "target not found";
            case 0x0204 -> "target removed";
            case 0x0205 -> "unsupported version";
            case 0x0206 -> "too many connections";
            case 0x0207 -> "missing parameter";
            case 0x0208 -> "can't include in session";
            case 0x0209 -> "session type not supported";
            case 0x020a -> "session does not exist";
            case 0x020b -> "invalid during login";
            case 0x0300 -> "target error";
            case 0x0301 -> "service unavailable";
            case 0x0302 -> "out of resources";
            default -> "unknown status";
        };
        return String.format("%02x%02x %s", statusClass, statusDetail, name);
    }
}
