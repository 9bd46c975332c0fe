package io.iscsi4j.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A small blocking iSCSI initiator (RFC 7143) for the project's own tests, written independently of the target's
 * codec: headers are built by {@link Bhs}, parsed by {@link RawPdu}, framed by {@link PduChannel}.
 *
 * <p>One connection, one session, one command at a time. It is strict: anything the target sends that RFC 7143
 * forbids (a sequence number out of order, a Data-In beyond the expected length, a negotiation answer outside
 * what was offered, a digest mismatch) throws {@link ProtocolViolation} naming the PDU and the rule. Every read
 * has a 10 s timeout and every loop a bound, so a misbehaving target fails a test instead of hanging it.
 *
 * <p>Not thread-safe.
 */
final class TestInitiator implements AutoCloseable {

    /** Default initiator name. */
    static final String INITIATOR_NAME = "iqn.2026-11.io.iscsi4j:test-initiator";

    /** RFC 7143 §13 defaults used when a key was not negotiated. */
    static final int DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH = 8192;
    static final int DEFAULT_FIRST_BURST_LENGTH = 65536;
    static final int DEFAULT_MAX_BURST_LENGTH = 262144;

    /** Keys a party declares rather than negotiates; the other side does not answer them (RFC 7143 §6.2). */
    private static final Set<String> DECLARATIVE = Set.of("MaxRecvDataSegmentLength", "InitiatorName",
            "TargetName", "InitiatorAlias", "TargetAlias", "TargetAddress", "TargetPortalGroupTag", "SessionType");
    /** Boolean keys whose result is the AND of both offers (RFC 7143 §13). */
    private static final Set<String> AND_KEYS = Set.of("ImmediateData", "IFMarker", "OFMarker");
    /** Boolean keys whose result is the OR of both offers. */
    private static final Set<String> OR_KEYS = Set.of("InitialR2T", "DataPDUInOrder", "DataSequenceInOrder");
    /** Numeric keys whose result is the minimum of both offers. */
    private static final Set<String> MIN_KEYS = Set.of("MaxBurstLength", "FirstBurstLength", "MaxConnections",
            "MaxOutstandingR2T", "ErrorRecoveryLevel", "DefaultTime2Retain");
    /** Numeric keys whose result is the maximum of both offers. */
    private static final Set<String> MAX_KEYS = Set.of("DefaultTime2Wait");
    /** List keys: the answer must be one of the offered values. */
    private static final Set<String> LIST_KEYS = Set.of("HeaderDigest", "DataDigest", "AuthMethod");

    private static final int STAGE_SECURITY = 0;
    private static final int STAGE_OPERATIONAL = 1;
    private static final int STAGE_FULL_FEATURE = 3;

    private final PduChannel channel;
    private byte[] isid;
    private int nextTag = 0x100;
    private int cmdSN = ThreadLocalRandom.current().nextInt(1, 1 << 20);
    private int expStatSN;
    private int maxCmdSN = cmdSN;
    private int targetExpCmdSN = cmdSN;
    /** StatSN of the last Reject, which a target may or may not count as a status (see {@link #checkStatSN}). */
    private Integer rejectStatSN;
    private int tsih;
    private boolean fullFeature;
    private boolean discoverySession;
    private final Map<String, String> offered = new LinkedHashMap<>();
    private final Map<String, String> targetKeys = new LinkedHashMap<>();
    private final List<RawPdu> asyncMessages = new ArrayList<>();
    private final Stats stats = new Stats();
    private int blockSize = 512;
    private String chapUser;
    private String chapSecret;
    private int r2tProbeMillis;

    // One-shot faults for the next command.
    private int corruptDataOutIndex = -1;
    private boolean corruptCommandDataDigest;

    /** Per-command counters, for tests asserting how data moved. Reset by {@link #resetStats()}. */
    static final class Stats {
        int dataInPdus;
        int maxDataInSegment;
        int dataInSequences;
        int r2ts;
        int maxR2TLength;
        int maxOutstandingR2Ts;
        int dataOutPdus;
        int maxDataOutSegment;
        long immediateBytes;
        long unsolicitedBytes;
        long solicitedBytes;

        @Override
        public String toString() {
            return "Stats[dataIn=" + dataInPdus + " (max " + maxDataInSegment + ", sequences " + dataInSequences
                    + "), r2t=" + r2ts + " (max " + maxR2TLength + ", " + maxOutstandingR2Ts
                    + " outstanding), dataOut=" + dataOutPdus + " (max "
                    + maxDataOutSegment + "), immediate=" + immediateBytes + ", unsolicited=" + unsolicitedBytes
                    + ", solicited=" + solicitedBytes + "]";
        }
    }

    /** A target listed by SendTargets. */
    record DiscoveredTarget(String name, List<String> addresses) {
    }

    private TestInitiator(PduChannel channel) {
        this.channel = channel;
        byte[] r = new byte[3];
        ThreadLocalRandom.current().nextBytes(r);
        // ISID, Random format (T = 10b), RFC 7143 §11.12.5: A = 0, B and C random, D = qualifier.
        this.isid = new byte[] {(byte) 0x80, r[0], r[1], r[2], 0x00, 0x01};
    }

    /** Opens a TCP connection (no login yet). */
    static TestInitiator connect(InetSocketAddress address) throws IOException {
        return new TestInitiator(PduChannel.connect(address));
    }

    /**
     * Opens a TCP connection from {@code localAddress} (no login yet); see
     * {@link PduChannel#connect(InetSocketAddress, InetAddress)}.
     */
    static TestInitiator connect(InetSocketAddress address, InetAddress localAddress) throws IOException {
        return new TestInitiator(PduChannel.connect(address, localAddress));
    }

    /** Opens a TCP connection (no login yet). */
    static TestInitiator connect(String host, int port) throws IOException {
        return connect(new InetSocketAddress(host, port));
    }

    // ------------------------------------------------------------------------------------------------ login

    /**
     * Logs in to a normal session: security stage (AuthMethod=None), then operational stage offering
     * {@code operational}, then full feature phase (RFC 7143 §6.3). Digests negotiated as CRC32C are enabled
     * right after the final Login Response.
     *
     * @return the keys the target sent (answers and declarations)
     * @throws LoginFailure when the target refuses the login
     */
    Map<String, String> login(String initiatorName, String targetName, Map<String, String> operational)
            throws IOException {
        return login(initiatorName, targetName, false, operational);
    }

    /**
     * Logs in to a normal session authenticating with one-way CHAP (RFC 7143 §12.1.3, MD5 only): AuthMethod=CHAP,
     * CHAP_A=5, then CHAP_N and CHAP_R answering the target's challenge; then the operational stage as
     * {@link #login(String, String, Map)} does.
     *
     * @throws LoginFailure when the target refuses the login
     */
    Map<String, String> loginChap(String initiatorName, String targetName, String user, String secret,
                                  Map<String, String> operational) throws IOException {
        chapUser = user;
        chapSecret = secret;
        try {
            return login(initiatorName, targetName, false, operational);
        } finally {
            chapUser = null;
            chapSecret = null;
        }
    }

    /** Logs in to a discovery session (SessionType=Discovery). */
    Map<String, String> loginDiscovery(String initiatorName, Map<String, String> operational) throws IOException {
        return login(initiatorName, null, true, operational);
    }

    private Map<String, String> login(String initiatorName, String targetName, boolean discovery,
                                      Map<String, String> operational) throws IOException {
        if (fullFeature) {
            throw new IllegalStateException("already logged in");
        }
        discoverySession = discovery;
        int tag = nextTag();
        Map<String, String> security = new LinkedHashMap<>();
        security.put("InitiatorName", initiatorName);
        security.put("SessionType", discovery ? "Discovery" : "Normal");
        if (!discovery) {
            security.put("TargetName", targetName);
        }
        security.put("AuthMethod", chapUser == null ? "None" : "CHAP");
        offered.putAll(security);

        int csg = STAGE_SECURITY;
        int nsg = STAGE_OPERATIONAL;
        Map<String, String> toSend = security;
        boolean operationalSent = false;
        boolean first = true;
        if (chapUser != null) {
            chapExchange(tag, security);
            first = false;
            csg = STAGE_OPERATIONAL;
            nsg = STAGE_FULL_FEATURE;
            toSend = new LinkedHashMap<>(operational);
            offered.putAll(operational);
            operationalSent = true;
        }
        for (int round = 0; round < 16; round++) {
            sendLoginRequest(tag, true, csg, nsg, TextKeys.encode(toSend));
            RawPdu response = receiveLoginResponse(tag, csg, first);
            first = false;
            Map<String, String> received = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : TextKeys.decode(response.data())) {
                received.put(e.getKey(), e.getValue());
            }
            targetKeys.putAll(received);
            boolean transit = (response.flags() & 0x80) != 0;
            if (transit) {
                int next = response.flags() & 0x03;
                if (next > nsg) {
                    throw new ProtocolViolation("Login Response NSG " + next + " beyond the requested " + nsg
                            + " (RFC 7143 §11.13.3): " + response);
                }
                if (next == STAGE_FULL_FEATURE) {
                    finishLogin(response);
                    return Map.copyOf(targetKeys);
                }
                csg = next;
            }
            if (csg == STAGE_OPERATIONAL && !operationalSent) {
                nsg = STAGE_FULL_FEATURE;
                toSend = new LinkedHashMap<>(operational);
                offered.putAll(operational);
                operationalSent = true;
            } else {
                // The target stays in the stage: answer the keys it offered that we did not.
                toSend = new LinkedHashMap<>();
                for (Map.Entry<String, String> e : received.entrySet()) {
                    if (!offered.containsKey(e.getKey()) && !DECLARATIVE.contains(e.getKey())) {
                        toSend.put(e.getKey(), e.getValue());
                    }
                }
            }
        }
        throw new ProtocolViolation("login did not reach full feature phase within 16 exchanges");
    }

    /** The security stage with one-way CHAP, MD5: three exchanges, the last one transiting to the operational stage. */
    private void chapExchange(int tag, Map<String, String> security) throws IOException {
        sendLoginRequest(tag, false, STAGE_SECURITY, 0, TextKeys.encode(security));
        Map<String, String> answer = loginKeys(receiveLoginResponse(tag, STAGE_SECURITY, true));
        if (!"CHAP".equals(answer.get("AuthMethod"))) {
            throw new ProtocolViolation("AuthMethod=CHAP answered " + answer);
        }
        targetKeys.putAll(answer);
        sendLoginRequest(tag, false, STAGE_SECURITY, 0, TextKeys.encode(Map.of("CHAP_A", "5")));
        Map<String, String> challenge = loginKeys(receiveLoginResponse(tag, STAGE_SECURITY, false));
        if (!"5".equals(challenge.get("CHAP_A")) || challenge.get("CHAP_I") == null
                || challenge.get("CHAP_C") == null) {
            throw new ProtocolViolation("CHAP_A=5 answered " + challenge);
        }
        byte[] response;
        try {
            java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
            md5.update((byte) Integer.parseInt(challenge.get("CHAP_I")));
            md5.update(chapSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md5.update(java.util.HexFormat.of().parseHex(challenge.get("CHAP_C").substring(2)));
            response = md5.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> proof = new LinkedHashMap<>();
        proof.put("CHAP_N", chapUser);
        proof.put("CHAP_R", "0x" + java.util.HexFormat.of().formatHex(response));
        sendLoginRequest(tag, true, STAGE_SECURITY, STAGE_OPERATIONAL, TextKeys.encode(proof));
        RawPdu done = receiveLoginResponse(tag, STAGE_SECURITY, false);
        if ((done.flags() & 0x80) == 0 || (done.flags() & 0x03) != STAGE_OPERATIONAL) {
            throw new ProtocolViolation("CHAP response did not lead to the operational stage: " + done);
        }
        targetKeys.putAll(loginKeys(done));
    }

    private static Map<String, String> loginKeys(RawPdu response) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : TextKeys.decode(response.data())) {
            keys.put(e.getKey(), e.getValue());
        }
        return keys;
    }

    private void sendLoginRequest(int tag, boolean transit, int csg, int nsg, byte[] text) throws IOException {
        Bhs bhs = Bhs.of(Bhs.LOGIN_REQUEST).immediate(true) // a Login Request always has I = 1 (RFC 7143 §11.12)
                .flags((transit ? 0x80 : 0) | csg << 2 | (transit ? nsg : 0))
                .u8(2, 0x00) // Version-max
                .u8(3, 0x00) // Version-min
                .bytes(8, isid)
                .u16(14, tsih)
                .itt(tag)
                .u16(20, 0) // CID
                .i32(24, cmdSN)
                .i32(28, expStatSN);
        channel.send(bhs, text, 0, text.length);
    }

    /** Reads a Login Response, following C-bit continuations (RFC 7143 §6.1: text over several PDUs). */
    private RawPdu receiveLoginResponse(int tag, int csg, boolean first) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (int part = 0; part < 64; part++) {
            RawPdu r = channel.receive();
            if (r.opcode() != Bhs.LOGIN_RESPONSE) {
                throw new ProtocolViolation("expected a Login Response during login, got " + r);
            }
            int statusClass = r.u8(36);
            if (statusClass != 0) {
                throw new LoginFailure(statusClass, r.u8(37));
            }
            if (r.itt() != tag) {
                throw new ProtocolViolation("Login Response ITT differs from the request's (RFC 7143 §11.13): " + r);
            }
            if (!Arrays.equals(Arrays.copyOfRange(r.bhs(), 8, 14), isid)) {
                throw new ProtocolViolation("Login Response does not echo the ISID (RFC 7143 §11.13): " + r);
            }
            if (r.u8(3) != 0) {
                throw new ProtocolViolation("Version-active must be 0 (RFC 7143 §11.13.2): " + r);
            }
            int responseCsg = (r.flags() >> 2) & 0x03;
            if (responseCsg != csg) {
                throw new ProtocolViolation("Login Response CSG " + responseCsg + " differs from the request's "
                        + csg + " (RFC 7143 §11.13.3): " + r);
            }
            if (first && part == 0) {
                expStatSN = r.statSN() + 1; // the first response sets the connection's initial StatSN
            } else {
                checkStatSN(r);
            }
            updateWindow(r);
            text.writeBytes(r.data());
            boolean transit = (r.flags() & 0x80) != 0;
            boolean more = (r.flags() & 0x40) != 0;
            if (!more) {
                return new RawPdu(r.bhs(), r.ahs(), text.toByteArray());
            }
            if (transit) {
                throw new ProtocolViolation("Login Response with both T and C set (RFC 7143 §11.13.1): " + r);
            }
            // Ask for the rest with an empty request in the same stage, T = 0.
            sendLoginRequest(tag, false, csg, 0, new byte[0]);
        }
        throw new ProtocolViolation("more than 64 continued Login Responses");
    }

    private void finishLogin(RawPdu last) {
        tsih = last.u16(14);
        if (tsih == 0) {
            throw new ProtocolViolation("final Login Response has TSIH 0 (RFC 7143 §11.13.4): " + last);
        }
        if (last.expCmdSN() != cmdSN) {
            throw new ProtocolViolation("final Login Response ExpCmdSN " + Integer.toUnsignedString(last.expCmdSN())
                    + " differs from the login CmdSN " + Integer.toUnsignedString(cmdSN)
                    + " (the first command after login carries the login's CmdSN, RFC 7143 §11.12.8)");
        }
        checkNegotiation();
        fullFeature = true;
        channel.headerDigest("CRC32C".equals(targetKeys.get("HeaderDigest")));
        channel.dataDigest("CRC32C".equals(targetKeys.get("DataDigest")));
        channel.maxInboundDataSegmentLength(intOr(offered, "MaxRecvDataSegmentLength",
                DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH));
    }

    /** Checks each offered key got an answer computed by its RFC 7143 §13 result function. */
    private void checkNegotiation() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : offered.entrySet()) {
            String key = e.getKey();
            String mine = e.getValue();
            if (DECLARATIVE.contains(key)) {
                continue;
            }
            String answer = targetKeys.get(key);
            if (answer == null) {
                problems.add(key + " offered as " + mine + " was not answered (RFC 7143 §6.2)");
                continue;
            }
            if (answer.equals("Irrelevant") && discoverySession) {
                continue;
            }
            if (answer.equals("Reject") || answer.equals("NotUnderstood") || answer.equals("Irrelevant")) {
                problems.add(key + "=" + mine + " answered " + answer);
            } else if (LIST_KEYS.contains(key)) {
                if (!List.of(mine.split(",")).contains(answer)) {
                    problems.add(key + " answered " + answer + ", not one of the offered " + mine);
                }
            } else if (AND_KEYS.contains(key) || OR_KEYS.contains(key)) {
                if (!answer.equals("Yes") && !answer.equals("No")) {
                    problems.add(key + " answered " + answer + ", not Yes or No");
                } else if (AND_KEYS.contains(key) && mine.equals("No") && answer.equals("Yes")) {
                    problems.add(key + "=No answered Yes, but the result function is AND");
                } else if (OR_KEYS.contains(key) && mine.equals("Yes") && answer.equals("No")) {
                    problems.add(key + "=Yes answered No, but the result function is OR");
                }
            } else if (MIN_KEYS.contains(key) || MAX_KEYS.contains(key)) {
                long a;
                try {
                    a = Long.parseLong(answer);
                } catch (NumberFormatException ex) {
                    problems.add(key + " answered " + answer + ", not a number");
                    continue;
                }
                long m = Long.parseLong(mine);
                if (MIN_KEYS.contains(key) && a > m) {
                    problems.add(key + "=" + m + " answered " + a + ", but the result function is minimum");
                }
                if (MAX_KEYS.contains(key) && a < m) {
                    problems.add(key + "=" + m + " answered " + a + ", but the result function is maximum");
                }
            }
        }
        if (!discoverySession && firstBurstLength() > maxBurstLength()) {
            problems.add("FirstBurstLength " + firstBurstLength() + " exceeds MaxBurstLength " + maxBurstLength());
        }
        if (!problems.isEmpty()) {
            throw new ProtocolViolation("login negotiation violates RFC 7143 §6.2/§13: " + problems + "; offered "
                    + offered + ", target sent " + targetKeys);
        }
    }

    // -------------------------------------------------------------------------------- negotiated values

    /** What this initiator offered or declared during login. */
    /** Uses the ISID of another initiator, to test session reinstatement (RFC 7143 §6.3.5). */
    void useIsidOf(TestInitiator other) {
        this.isid = other.isid.clone();
    }

    /** Accounts for {@code n} non-immediate commands sent raw with {@link #send}, keeping CmdSN in step. */
    void advanceCmdSN(int n) {
        cmdSN += n;
    }

    /** The highest MaxCmdSN the target announced. */
    int maxCmdSN() {
        return maxCmdSN;
    }

    Map<String, String> offered() {
        return Map.copyOf(offered);
    }

    /** Every key the target sent during login (answers and declarations). */
    Map<String, String> targetKeys() {
        return Map.copyOf(targetKeys);
    }

    /** The target's declared MaxRecvDataSegmentLength: the limit for every PDU this initiator sends. */
    int targetMaxRecvDataSegmentLength() {
        return intOr(targetKeys, "MaxRecvDataSegmentLength", DEFAULT_MAX_RECV_DATA_SEGMENT_LENGTH);
    }

    boolean immediateData() {
        return "Yes".equals(targetKeys.getOrDefault("ImmediateData", "Yes"));
    }

    boolean initialR2T() {
        return "Yes".equals(targetKeys.getOrDefault("InitialR2T", "Yes"));
    }

    int firstBurstLength() {
        return intOr(targetKeys, "FirstBurstLength", DEFAULT_FIRST_BURST_LENGTH);
    }

    int maxOutstandingR2T() {
        return intOr(targetKeys, "MaxOutstandingR2T", 1);
    }

    /**
     * Makes the initiator wait {@code millis} after each R2T before answering, collecting further R2Ts that
     * arrive meanwhile, so that a target exceeding MaxOutstandingR2T is caught (0, the default, answers at once).
     */
    void r2tProbe(int millis) {
        this.r2tProbeMillis = millis;
    }

    int maxBurstLength() {
        return intOr(targetKeys, "MaxBurstLength", DEFAULT_MAX_BURST_LENGTH);
    }

    boolean headerDigestEnabled() {
        return channel.headerDigest();
    }

    boolean dataDigestEnabled() {
        return channel.dataDigest();
    }

    /** The Async Messages received so far. */
    List<RawPdu> asyncMessages() {
        return List.copyOf(asyncMessages);
    }

    Stats stats() {
        return stats;
    }

    void resetStats() {
        stats.dataInPdus = 0;
        stats.maxDataInSegment = 0;
        stats.dataInSequences = 0;
        stats.r2ts = 0;
        stats.maxR2TLength = 0;
        stats.maxOutstandingR2Ts = 0;
        stats.dataOutPdus = 0;
        stats.maxDataOutSegment = 0;
        stats.immediateBytes = 0;
        stats.unsolicitedBytes = 0;
        stats.solicitedBytes = 0;
    }

    private static int intOr(Map<String, String> keys, String key, int fallback) {
        String v = keys.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ProtocolViolation(key + "=" + v + " is not a number");
        }
    }

    // ----------------------------------------------------------------------------------- fault injection

    /** Sends the {@code index}-th (0-based) Data-Out PDU of the next write with an inverted data digest. */
    void corruptDataDigestOfDataOut(int index) {
        this.corruptDataOutIndex = index;
    }

    /** Sends the next SCSI Command PDU (with immediate data) with an inverted data digest. */
    void corruptDataDigestOfNextCommand() {
        this.corruptCommandDataDigest = true;
    }

    // --------------------------------------------------------------------------------------- SCSI commands

    ScsiResult testUnitReady() throws IOException {
        return execute(0, new byte[6], 0, null);
    }

    /** Standard INQUIRY, 96 bytes allocation length. */
    ScsiResult inquiry() throws IOException {
        byte[] cdb = {0x12, 0, 0, 0, 96, 0};
        return execute(0, cdb, 96, null);
    }

    /** READ CAPACITY (16); remembers the block size for {@link #read16}. */
    ScsiResult readCapacity16() throws IOException {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x9E;
        cdb[1] = 0x10; // service action READ CAPACITY (16)
        cdb[13] = 32; // allocation length
        ScsiResult r = execute(0, cdb, 32, null);
        if (r.good() && r.data().length >= 12) {
            byte[] d = r.data();
            blockSize = (d[8] & 0xFF) << 24 | (d[9] & 0xFF) << 16 | (d[10] & 0xFF) << 8 | d[11] & 0xFF;
        }
        return r;
    }

    int blockSize() {
        return blockSize;
    }

    /** READ (16) of {@code blocks} blocks of {@link #blockSize()} bytes. */
    ScsiResult read16(long lba, int blocks) throws IOException {
        return execute(0, rw16((byte) 0x88, lba, blocks), Math.multiplyExact(blocks, blockSize), null);
    }

    /** WRITE (16) of {@code data}, a whole number of blocks. */
    ScsiResult write16(long lba, byte[] data) throws IOException {
        if (data.length % blockSize != 0) {
            throw new IllegalArgumentException("data is not a whole number of " + blockSize + "-byte blocks");
        }
        return execute(0, rw16((byte) 0x8A, lba, data.length / blockSize), 0, data);
    }

    private static byte[] rw16(byte opcode, long lba, int blocks) {
        byte[] cdb = new byte[16];
        cdb[0] = opcode;
        for (int i = 0; i < 8; i++) {
            cdb[2 + i] = (byte) (lba >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            cdb[10 + i] = (byte) (blocks >>> (24 - 8 * i));
        }
        return cdb;
    }

    /**
     * Runs one SCSI command to completion.
     *
     * @param lun the LUN
     * @param cdb up to 16 bytes
     * @param readLength Expected Data Transfer Length of a read (0 for none)
     * @param writeData data of a write, or {@code null}
     */
    ScsiResult execute(int lun, byte[] cdb, int readLength, byte[] writeData) throws IOException {
        requireFullFeature();
        if (cdb.length > 16) {
            throw new IllegalArgumentException("CDBs over 16 bytes need an AHS; not supported");
        }
        if (writeData != null && readLength > 0) {
            throw new IllegalArgumentException("bidirectional commands are not supported");
        }
        checkWindowOpen();
        int tag = nextTag();
        long encodedLun = Bhs.encodeLun(lun);
        boolean write = writeData != null;
        int total = write ? writeData.length : readLength;

        int immediateLength = 0;
        int unsolicitedEnd = 0;
        if (write) {
            int limit = Math.min(firstBurstLength(), targetMaxRecvDataSegmentLength());
            immediateLength = immediateData() ? Math.min(total, limit) : 0;
            unsolicitedEnd = initialR2T() ? immediateLength : Math.min(total, firstBurstLength());
        }
        boolean unsolicitedDataOutFollows = unsolicitedEnd > immediateLength;
        Bhs command = Bhs.of(Bhs.SCSI_COMMAND)
                .flags((unsolicitedDataOutFollows ? 0 : 0x80) | (readLength > 0 ? 0x40 : 0) | (write ? 0x20 : 0)
                        | 0x01) // F, R, W, ATTR = SIMPLE (RFC 7143 §11.3.1)
                .lun(encodedLun)
                .itt(tag)
                .i32(20, total) // Expected Data Transfer Length
                .i32(24, cmdSN)
                .i32(28, expStatSN)
                .bytes(32, cdb);
        boolean corrupt = corruptCommandDataDigest;
        corruptCommandDataDigest = false;
        channel.send(command, writeData == null ? new byte[0] : writeData, 0, immediateLength, false, corrupt);
        cmdSN++;
        stats.immediateBytes += immediateLength;

        int[] dataOutIndex = {0};
        if (unsolicitedDataOutFollows) {
            sendDataOutSequence(encodedLun, tag, Bhs.RESERVED_TAG, writeData, immediateLength, unsolicitedEnd,
                    dataOutIndex);
            stats.unsolicitedBytes += unsolicitedEnd - immediateLength;
        }
        try {
            return awaitCompletion(tag, write, total, writeData, unsolicitedEnd, dataOutIndex);
        } finally {
            corruptDataOutIndex = -1;
        }
    }

    private ScsiResult awaitCompletion(int tag, boolean write, int total, byte[] writeData, int unsolicitedEnd,
                                       int[] dataOutIndex) throws IOException {
        byte[] in = new byte[write ? 0 : total];
        int received = 0;
        int expectedDataSN = 0;
        int sequenceBytes = 0;
        int expectedR2TSN = 0;
        int nextR2TOffset = unsolicitedEnd;
        List<RawPdu> rejects = new ArrayList<>();
        List<RawPdu> pendingR2Ts = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            RawPdu p;
            try {
                p = next();
            } catch (SocketTimeoutException e) {
                AssertionError stalled = new AssertionError("command 0x" + Integer.toHexString(tag)
                        + " did not complete: nothing received for " + channel.readTimeoutMillis() + " ms after "
                        + (write ? stats.dataOutPdus + " Data-Out PDU(s) and " + stats.r2ts + " R2T(s)"
                                : received + " of " + total + " bytes of Data-In")
                        + "; last PDUs:\n  " + String.join("\n  ", channel.recent()), e);
                throw stalled;
            }
            switch (p.opcode()) {
                case Bhs.DATA_IN -> {
                    requireTag(p, tag);
                    if (write) {
                        throw new ProtocolViolation("Data-In for a write command: " + p);
                    }
                    int dataSN = p.i32(36);
                    int offset = p.i32(40);
                    int length = p.dataSegmentLength();
                    if (dataSN != expectedDataSN) {
                        throw new ProtocolViolation("Data-In DataSN " + Integer.toUnsignedString(dataSN)
                                + ", expected " + expectedDataSN + " (RFC 7143 §11.7.4): " + p);
                    }
                    expectedDataSN++;
                    if (offset != received) {
                        throw new ProtocolViolation("Data-In Buffer Offset " + Integer.toUnsignedString(offset)
                                + ", expected " + received + " (DataPDUInOrder=Yes, RFC 7143 §13.18): " + p);
                    }
                    if (length > total - received) {
                        throw new ProtocolViolation("Data-In carries " + length + " bytes at offset " + offset
                                + " beyond the Expected Data Transfer Length " + total + " (RFC 7143 §11.7.6): " + p);
                    }
                    System.arraycopy(p.data(), 0, in, received, length);
                    received += length;
                    sequenceBytes += length;
                    stats.dataInPdus++;
                    stats.maxDataInSegment = Math.max(stats.maxDataInSegment, length);
                    boolean status = (p.flags() & 0x01) != 0;
                    if (p.finalBit()) {
                        stats.dataInSequences++;
                        if (sequenceBytes > maxBurstLength()) {
                            throw new ProtocolViolation("Data-In sequence of " + sequenceBytes
                                    + " bytes exceeds MaxBurstLength " + maxBurstLength() + " (RFC 7143 §13.13): "
                                    + p);
                        }
                        sequenceBytes = 0;
                    }
                    if (status) {
                        if (!p.finalBit()) {
                            throw new ProtocolViolation("Data-In with S but without F (RFC 7143 §11.7.1): " + p);
                        }
                        checkStatSN(p);
                        checkResidual(p, total, received);
                        return new ScsiResult(0, p.u8(3), Arrays.copyOf(in, received), new byte[0],
                                (p.flags() & 0x02) != 0, (p.flags() & 0x04) != 0, p.i32(44), rejects);
                    }
                }
                case Bhs.SCSI_RESPONSE -> {
                    requireTag(p, tag);
                    checkStatSN(p);
                    if (!p.finalBit()) {
                        throw new ProtocolViolation("SCSI Response without the F bit (RFC 7143 §11.4): " + p);
                    }
                    int response = p.u8(2);
                    int status = p.u8(3);
                    if (response == 0 && !write && p.i32(36) != expectedDataSN) {
                        throw new ProtocolViolation("SCSI Response ExpDataSN " + Integer.toUnsignedString(p.i32(36))
                                + " but " + expectedDataSN + " Data-In PDUs were sent (RFC 7143 §11.4.8): " + p);
                    }
                    if (response == 0 && status == ScsiResult.GOOD && !write) {
                        checkResidual(p, total, received);
                    }
                    byte[] sense = new byte[0];
                    if (p.data().length >= 2) {
                        int senseLength = (p.data()[0] & 0xFF) << 8 | p.data()[1] & 0xFF;
                        if (senseLength > p.data().length - 2) {
                            throw new ProtocolViolation("SenseLength " + senseLength + " exceeds the data segment ("
                                    + p.data().length + " bytes, RFC 7143 §11.4.7.2): " + p);
                        }
                        sense = Arrays.copyOfRange(p.data(), 2, 2 + senseLength);
                    } else if (p.data().length == 1) {
                        throw new ProtocolViolation("SCSI Response data segment of 1 byte: " + p);
                    }
                    return new ScsiResult(response, status, Arrays.copyOf(in, received), sense,
                            (p.flags() & 0x02) != 0, (p.flags() & 0x04) != 0, p.i32(44), rejects);
                }
                case Bhs.R2T -> {
                    requireTag(p, tag);
                    if (!write) {
                        throw new ProtocolViolation("R2T for a command that is not a write: " + p);
                    }
                    int r2tSN = p.i32(36);
                    int offset = p.i32(40);
                    int length = p.i32(44);
                    int ttt = p.ttt();
                    if (r2tSN != expectedR2TSN) {
                        throw new ProtocolViolation("R2TSN " + Integer.toUnsignedString(r2tSN) + ", expected "
                                + expectedR2TSN + " (RFC 7143 §11.8.2): " + p);
                    }
                    expectedR2TSN++;
                    if (ttt == Bhs.RESERVED_TAG) {
                        throw new ProtocolViolation("R2T with the reserved Target Transfer Tag (RFC 7143 §11.8): "
                                + p);
                    }
                    if (length <= 0 || offset < 0 || (long) offset + length > total) {
                        throw new ProtocolViolation("R2T asks for " + Integer.toUnsignedString(length)
                                + " bytes at offset " + Integer.toUnsignedString(offset) + " of a " + total
                                + "-byte write (RFC 7143 §11.8.4): " + p);
                    }
                    if (length > maxBurstLength()) {
                        throw new ProtocolViolation("R2T Desired Data Transfer Length " + length
                                + " exceeds MaxBurstLength " + maxBurstLength() + " (RFC 7143 §11.8.4): " + p);
                    }
                    boolean recovery = !rejects.isEmpty();
                    if (offset != nextR2TOffset && !recovery) {
                        throw new ProtocolViolation("R2T Buffer Offset " + offset + ", expected " + nextR2TOffset
                                + " (DataSequenceInOrder=Yes: R2Ts solicit increasing offsets, RFC 7143 §13.19): "
                                + p);
                    }
                    nextR2TOffset = Math.max(nextR2TOffset, offset + length);
                    stats.r2ts++;
                    stats.maxR2TLength = Math.max(stats.maxR2TLength, length);
                    pendingR2Ts.add(p);
                    if (r2tProbeMillis > 0) {
                        // Hold the answer a moment: R2Ts that arrive meanwhile are outstanding together.
                        pause(r2tProbeMillis);
                        if (channel.available() > 0) {
                            continue;
                        }
                    }
                    answerR2Ts(pendingR2Ts, tag, writeData, dataOutIndex);
                }
                case Bhs.REJECT -> {
                    rejects.add(p);
                    answerR2Ts(pendingR2Ts, tag, writeData, dataOutIndex);
                    if (p.data().length >= Bhs.LENGTH) {
                        int rejectedOpcode = p.data()[0] & 0x3F;
                        int rejectedTag = (p.data()[16] & 0xFF) << 24 | (p.data()[17] & 0xFF) << 16
                                | (p.data()[18] & 0xFF) << 8 | p.data()[19] & 0xFF;
                        boolean dataDigest = p.u8(2) == 0x02;
                        if (rejectedOpcode == Bhs.SCSI_COMMAND && rejectedTag == tag && !dataDigest) {
                            // The command itself was discarded: no response will come. (A data digest error of
                            // its immediate data leaves the command delivered; its response follows, RFC 7143 §7.8.)
                            return new ScsiResult(-1, -1, Arrays.copyOf(in, received), new byte[0], false, false,
                                    0, rejects);
                        }
                    }
                }
                default -> throw new ProtocolViolation("unexpected " + p + " while command 0x"
                        + Integer.toHexString(tag) + " is outstanding");
            }
        }
        throw new ProtocolViolation("command did not complete within 1000000 PDUs");
    }

    /** Answers the R2Ts received and not yet answered, after checking there are not too many of them. */
    private void answerR2Ts(List<RawPdu> pending, int tag, byte[] writeData, int[] dataOutIndex) throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        stats.maxOutstandingR2Ts = Math.max(stats.maxOutstandingR2Ts, pending.size());
        if (pending.size() > maxOutstandingR2T()) {
            throw new ProtocolViolation(pending.size() + " R2Ts outstanding at once, but MaxOutstandingR2T is "
                    + maxOutstandingR2T() + " (RFC 7143 §13.17): " + pending);
        }
        for (RawPdu r2t : pending) {
            int offset = r2t.i32(40);
            int length = r2t.i32(44);
            sendDataOutSequence(r2t.lun(), tag, r2t.ttt(), writeData, offset, offset + length, dataOutIndex);
            stats.solicitedBytes += length;
        }
        pending.clear();
    }

    private static void pause(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void checkResidual(RawPdu p, int expected, int received) {
        boolean underflow = (p.flags() & 0x02) != 0;
        boolean overflow = (p.flags() & 0x04) != 0;
        int residual = p.i32(44);
        if (underflow && overflow) {
            throw new ProtocolViolation("both U and O residual bits set (RFC 7143 §11.4.5): " + p);
        }
        if (underflow && (long) received + Integer.toUnsignedLong(residual) != expected) {
            throw new ProtocolViolation("underflow residual " + Integer.toUnsignedString(residual) + " but "
                    + received + " of " + expected + " bytes were sent (RFC 7143 §11.4.5.1): " + p);
        }
        if (!underflow && !overflow && received != expected) {
            throw new ProtocolViolation("no residual reported, but only " + received + " of " + expected
                    + " bytes were sent (RFC 7143 §11.4.5): " + p);
        }
    }

    /**
     * Sends Data-Out PDUs for [{@code from}, {@code to}): DataSN from 0, each at most the target's
     * MaxRecvDataSegmentLength, F on the last (RFC 7143 §11.7).
     */
    private void sendDataOutSequence(long lun, int tag, int ttt, byte[] data, int from, int to, int[] dataOutIndex)
            throws IOException {
        int max = targetMaxRecvDataSegmentLength();
        int dataSN = 0;
        for (int offset = from; offset < to; ) {
            int length = Math.min(max, to - offset);
            boolean last = offset + length == to;
            Bhs bhs = Bhs.of(Bhs.DATA_OUT)
                    .flags(last ? 0x80 : 0)
                    .lun(lun)
                    .itt(tag)
                    .i32(20, ttt)
                    .i32(28, expStatSN)
                    .i32(36, dataSN)
                    .i32(40, offset);
            boolean corrupt = dataOutIndex[0] == corruptDataOutIndex;
            channel.send(bhs, data, offset, length, false, corrupt);
            dataOutIndex[0]++;
            dataSN++;
            stats.dataOutPdus++;
            stats.maxDataOutSegment = Math.max(stats.maxDataOutSegment, length);
            offset += length;
        }
    }

    // ------------------------------------------------------------------------------ NOP, text, logout

    /**
     * Sends an immediate NOP-Out ping and returns the data of the NOP-In answer (RFC 7143 §11.18, §11.19).
     */
    byte[] nopOut(byte[] ping) throws IOException {
        requireFullFeature();
        int tag = nextTag();
        Bhs bhs = Bhs.of(Bhs.NOP_OUT).immediate(true)
                .flags(0x80)
                .lun(0)
                .itt(tag)
                .i32(20, Bhs.RESERVED_TAG)
                .i32(24, cmdSN) // immediate: CmdSN is not advanced
                .i32(28, expStatSN);
        channel.send(bhs, ping, 0, ping.length);
        for (int i = 0; i < 1000; i++) {
            RawPdu p = next();
            if (p.opcode() == Bhs.NOP_IN && p.itt() == tag) {
                if (p.ttt() != Bhs.RESERVED_TAG) {
                    throw new ProtocolViolation("NOP-In answering a NOP-Out must carry TTT 0xffffffff "
                            + "(RFC 7143 §11.19.2): " + p);
                }
                checkStatSN(p);
                return p.data();
            }
            if (p.opcode() == Bhs.REJECT) {
                throw new ProtocolViolation("NOP-Out rejected: " + p);
            }
            throw new ProtocolViolation("unexpected " + p + " while waiting for the NOP-In");
        }
        throw new ProtocolViolation("no NOP-In");
    }

    /**
     * Sends a Text Request and collects the whole answer, following continuations: while the target answers
     * with C = 1 (and F = 0) the initiator sends an empty Text Request carrying the target's TTT
     * (RFC 7143 §11.10, §11.11).
     *
     * @return the pairs received, in order
     */
    List<Map.Entry<String, String>> text(Map<String, String> request) throws IOException {
        requireFullFeature();
        int tag = nextTag();
        byte[] data = TextKeys.encode(request);
        int ttt = Bhs.RESERVED_TAG;
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        for (int round = 0; round < 1000; round++) {
            checkWindowOpen();
            Bhs bhs = Bhs.of(Bhs.TEXT_REQUEST)
                    .flags(0x80)
                    .lun(0)
                    .itt(tag)
                    .i32(20, ttt)
                    .i32(24, cmdSN)
                    .i32(28, expStatSN);
            channel.send(bhs, data, 0, data.length);
            cmdSN++;
            RawPdu p = next();
            if (p.opcode() != Bhs.TEXT_RESPONSE) {
                throw new ProtocolViolation("expected a Text Response, got " + p);
            }
            requireTag(p, tag);
            checkStatSN(p);
            answer.writeBytes(p.data());
            boolean fin = p.finalBit();
            boolean more = (p.flags() & 0x40) != 0;
            if (fin && more) {
                throw new ProtocolViolation("Text Response with both F and C set (RFC 7143 §11.11.1): " + p);
            }
            if (fin) {
                if (p.ttt() != Bhs.RESERVED_TAG) {
                    throw new ProtocolViolation("final Text Response must carry TTT 0xffffffff "
                            + "(RFC 7143 §11.11.4): " + p);
                }
                return TextKeys.decode(answer.toByteArray());
            }
            ttt = p.ttt();
            if (ttt == Bhs.RESERVED_TAG) {
                throw new ProtocolViolation("non-final Text Response with TTT 0xffffffff (RFC 7143 §11.11.4): " + p);
            }
            data = new byte[0];
        }
        throw new ProtocolViolation("Text Response did not end within 1000 continuations");
    }

    /** SendTargets=All (RFC 7143 Appendix C): the targets and their addresses. */
    List<DiscoveredTarget> sendTargets() throws IOException {
        List<DiscoveredTarget> targets = new ArrayList<>();
        String name = null;
        List<String> addresses = new ArrayList<>();
        for (Map.Entry<String, String> e : text(Map.of("SendTargets", "All"))) {
            if (e.getKey().equals("TargetName")) {
                if (name != null) {
                    targets.add(new DiscoveredTarget(name, List.copyOf(addresses)));
                }
                name = e.getValue();
                addresses.clear();
            } else if (e.getKey().equals("TargetAddress")) {
                if (name == null) {
                    throw new ProtocolViolation("TargetAddress before any TargetName (RFC 7143 Appendix C)");
                }
                addresses.add(e.getValue());
            }
        }
        if (name != null) {
            targets.add(new DiscoveredTarget(name, List.copyOf(addresses)));
        }
        return targets;
    }

    /**
     * Logout with reason "close the session" (RFC 7143 §11.14).
     *
     * @return the Logout Response's Response field (0 = success)
     */
    int logout() throws IOException {
        requireFullFeature();
        int tag = nextTag();
        Bhs bhs = Bhs.of(Bhs.LOGOUT_REQUEST).immediate(true)
                .flags(0x80) // reason code 0: close the session
                .itt(tag)
                .i32(24, cmdSN)
                .i32(28, expStatSN);
        channel.send(bhs, new byte[0], 0, 0);
        for (int i = 0; i < 1000; i++) {
            RawPdu p = next();
            if (p.opcode() == Bhs.LOGOUT_RESPONSE) {
                requireTag(p, tag);
                checkStatSN(p);
                fullFeature = false;
                return p.u8(2);
            }
            throw new ProtocolViolation("unexpected " + p + " while waiting for the Logout Response");
        }
        throw new ProtocolViolation("no Logout Response");
    }

    /** Whether the target closes the connection within {@code timeout}. */
    boolean awaitClose(Duration timeout) throws IOException {
        return channel.awaitClose(timeout);
    }

    // --------------------------------------------------------------------------------- escape hatches

    /** Writes raw bytes to the socket (no framing, no digests). */
    void sendRaw(byte[] bytes) throws IOException {
        channel.sendRaw(bytes);
    }

    /** Sends a PDU built by the caller, with the negotiated digests. */
    void send(Bhs bhs, byte[] data) throws IOException {
        channel.send(bhs, data, 0, data.length);
    }

    /** The last PDUs sent ("->") and received ("<-"), oldest first, for failure messages. */
    List<String> recentPdus() {
        return channel.recent();
    }

    /** Reads the next PDU as it is, without any bookkeeping (digests are still checked). */
    RawPdu readPdu() throws IOException {
        return channel.receive();
    }

    /** A fresh Initiator Task Tag. */
    int nextTag() {
        int t = nextTag++;
        if (nextTag == Bhs.RESERVED_TAG) {
            nextTag = 0;
        }
        return t;
    }

    /** The CmdSN the next non-immediate command will carry. */
    int cmdSN() {
        return cmdSN;
    }

    /** The ExpCmdSN of the last PDU from the target that carries one. */
    int targetExpCmdSN() {
        return targetExpCmdSN;
    }

    /** Changes the socket read timeout (default {@value PduChannel#READ_TIMEOUT_MILLIS} ms). */
    void readTimeout(Duration timeout) throws IOException {
        channel.readTimeout((int) timeout.toMillis());
    }

    /**
     * Sends a PDU built by the caller with a header digest whose bits are inverted (header digests must be
     * negotiated).
     */
    void sendWithBadHeaderDigest(Bhs bhs, byte[] data) throws IOException {
        channel.sendRaw(PduChannel.frame(bhs, data, 0, data.length, true, channel.dataDigest(), true, false));
    }

    /** The ExpStatSN this initiator acknowledges. */
    int expStatSN() {
        return expStatSN;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    // ------------------------------------------------------------------------------------- internals

    /** Reads the next PDU, answering target NOP-In pings and recording Async Messages on the way. */
    private RawPdu next() throws IOException {
        for (int i = 0; i < 1000; i++) {
            RawPdu p = channel.receive();
            updateWindow(p);
            if (p.opcode() == Bhs.NOP_IN && p.itt() == Bhs.RESERVED_TAG) {
                if (p.ttt() != Bhs.RESERVED_TAG) {
                    // A target ping: answer with the same TTT and LUN (RFC 7143 §11.18.2).
                    Bhs pong = Bhs.of(Bhs.NOP_OUT).immediate(true).flags(0x80).lun(p.lun())
                            .itt(Bhs.RESERVED_TAG).i32(20, p.ttt()).i32(24, cmdSN).i32(28, expStatSN);
                    channel.send(pong, p.data(), 0, p.data().length);
                }
                continue;
            }
            if (p.opcode() == Bhs.ASYNC_MESSAGE) {
                checkStatSN(p);
                asyncMessages.add(p);
                continue;
            }
            return p;
        }
        throw new ProtocolViolation("more than 1000 unsolicited PDUs in a row");
    }

    /** For PDUs read raw with {@link #readPdu}: checks and accounts a status-carrying PDU's StatSN and window. */
    void acceptStatus(RawPdu p) {
        updateWindow(p);
        checkStatSN(p);
    }

    /** Checks a status-carrying PDU's StatSN is the next expected one, then advances ExpStatSN. */
    private void checkStatSN(RawPdu p) {
        int statSN = p.statSN();
        if (statSN == expStatSN) {
            expStatSN = statSN + 1;
            rejectStatSN = null;
            return;
        }
        if (rejectStatSN != null && statSN == rejectStatSN) {
            // The last Reject did not consume a StatSN; this response carries the same number.
            expStatSN = statSN + 1;
            rejectStatSN = null;
            return;
        }
        throw new ProtocolViolation("StatSN " + Integer.toUnsignedString(statSN) + ", expected "
                + Integer.toUnsignedString(expStatSN) + " (RFC 7143 §4.2.2.2, StatSN increments by one per "
                + "status): " + p);
    }

    private void updateWindow(RawPdu p) {
        int op = p.opcode();
        if (op == Bhs.DATA_IN || op == Bhs.SCSI_RESPONSE || op == Bhs.R2T || op == Bhs.NOP_IN
                || op == Bhs.TEXT_RESPONSE || op == Bhs.LOGIN_RESPONSE || op == Bhs.LOGOUT_RESPONSE
                || op == Bhs.REJECT || op == Bhs.ASYNC_MESSAGE || op == Bhs.TASK_MANAGEMENT_RESPONSE) {
            if (op == Bhs.REJECT && (p.statSN() - expStatSN) == 0) {
                rejectStatSN = p.statSN();
                expStatSN = p.statSN() + 1;
            }
            int max = p.maxCmdSN();
            if (max - maxCmdSN > 0) {
                maxCmdSN = max;
            }
            targetExpCmdSN = p.expCmdSN();
        }
    }

    private void checkWindowOpen() {
        if (cmdSN - maxCmdSN > 0) {
            throw new IllegalStateException("command window closed: CmdSN " + Integer.toUnsignedString(cmdSN)
                    + " > MaxCmdSN " + Integer.toUnsignedString(maxCmdSN));
        }
    }

    private static void requireTag(RawPdu p, int tag) {
        if (p.itt() != tag) {
            throw new ProtocolViolation("ITT 0x" + Integer.toHexString(p.itt()) + ", expected 0x"
                    + Integer.toHexString(tag) + ": " + p);
        }
    }

    private void requireFullFeature() {
        if (!fullFeature) {
            throw new IllegalStateException("not in full feature phase");
        }
    }
}
