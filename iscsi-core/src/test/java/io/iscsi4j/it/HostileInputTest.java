package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile and malformed input, each case on its own connection, each answered as RFC 7143 prescribes: a Reject
 * with the §11.17.1 reason, a Login Response with the §11.13.5 status, a silent drop (§3.2.2.1, §7.8) or a closed
 * connection, within a bounded time. After every case a well-behaved initiator must still log in and get a WRITE
 * and READ round trip on another connection.
 */
@Timeout(60)
class HostileInputTest {

    private static final int REASON_DATA_DIGEST_ERROR = 0x02;
    private static final int REASON_PROTOCOL_ERROR = 0x04;
    private static final int REASON_COMMAND_NOT_SUPPORTED = 0x05;
    private static final int REASON_IMMEDIATE_COMMAND_REJECT = 0x06;
    private static final int REASON_INVALID_PDU_FIELD = 0x09;
    private static final int REASON_OUT_OF_RESOURCES = 0x0A;

    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(3);
    private static final int LOGIN_TIMEOUT_MILLIS = 1500;
    private static final int MAX_IMMEDIATE_COMMANDS = 2;

    private static IscsiTarget target;

    @BeforeAll
    static void startTarget() throws IOException {
        target = Targets.start(b -> b
                .maxRecvDataSegmentLength(65536)
                .loginTimeout(Duration.ofMillis(LOGIN_TIMEOUT_MILLIS))
                .maxImmediateCommands(MAX_IMMEDIATE_COMMANDS)
                .maxDataBufferBytesPerSession(65536));
    }

    @AfterAll
    static void stopTarget() {
        if (target != null) {
            target.close();
        }
    }

    /** After each hostile case: another initiator is still served. */
    @AfterEach
    void goodInitiatorIsStillServed() throws IOException {
        assertServed(target, TestInitiator.INITIATOR_NAME);
    }

    // ---------------------------------------------------------------------------------------- login phase

    @Test
    void scsiCommandBeforeAnyLoginRequestClosesTheConnection() throws IOException {
        try (PduChannel c = PduChannel.connect(target.localAddress())) {
            c.send(testUnitReady(1, 0, 0), new byte[0], 0, 0);
            assertThat(c.awaitClose(CLOSE_WITHIN)).as("RFC 7143 §6.3: closed at once").isTrue();
        }
    }

    @Test
    void scsiCommandDuringLoginIsAnsweredWithInvalidDuringLogin() throws IOException {
        try (PduChannel c = PduChannel.connect(target.localAddress())) {
            startLogin(c);
            c.send(testUnitReady(2, 0, 0), new byte[0], 0, 0);
            RawPdu r = c.receive();
            assertLoginStatus(r, 0x02, 0x0B);
            assertThat(c.awaitClose(CLOSE_WITHIN)).isTrue();
        }
    }

    @Test
    void malformedLoginRequestEndsTheLoginWithInitiatorError() throws IOException {
        try (PduChannel c = PduChannel.connect(target.localAddress())) {
            startLogin(c);
            // A Login Request may not carry an AHS (RFC 7143 §11.12): one 4-byte AHS word.
            byte[] frame = PduChannel.frame(loginRequest(false, false, 0, 0).totalAhsLength(1), new byte[0], 0, 0,
                    false, false, false, false);
            byte[] withAhs = Arrays.copyOf(frame, frame.length + 4);
            withAhs[Bhs.LENGTH] = 0;
            withAhs[Bhs.LENGTH + 1] = 1;
            withAhs[Bhs.LENGTH + 2] = 1;
            c.sendRaw(withAhs);
            assertLoginStatus(c.receive(), 0x02, 0x00);
            assertThat(c.awaitClose(CLOSE_WITHIN)).isTrue();
        }
    }

    @Test
    void loginKeyNameLongerThan63BytesFailsTheLogin() throws IOException {
        Map<String, String> keys = firstLoginKeys();
        keys.put("X" + "k".repeat(63), "1");
        assertLoginFails(TextKeys.encode(keys), 0x02, 0x00);
    }

    @Test
    void loginValueLongerThan255BytesFailsTheLogin() throws IOException {
        Map<String, String> keys = firstLoginKeys();
        keys.put("InitiatorAlias", "a".repeat(256));
        assertLoginFails(TextKeys.encode(keys), 0x02, 0x00);
    }

    @Test
    void duplicateLoginKeyFailsTheLogin() throws IOException {
        byte[] keys = TextKeys.encode(firstLoginKeys());
        byte[] twice = concat(keys, "AuthMethod=None\0".getBytes(StandardCharsets.US_ASCII));
        assertLoginFails(twice, 0x02, 0x00);
    }

    @Test
    void loginTextBeyondTheLimitFailsWithOutOfResources() throws IOException {
        try (PduChannel c = PduChannel.connect(target.localAddress())) {
            byte[] part = new byte[8192];
            Arrays.fill(part, (byte) 'a');
            RawPdu last = null;
            for (int i = 0; i < 12; i++) { // 96 KiB of text joined by the C bit
                c.send(loginRequest(false, true, 0, 0), part, 0, part.length);
                last = c.receive();
                if (last.u8(36) != 0) {
                    break;
                }
            }
            assertLoginStatus(last, 0x03, 0x02);
            assertThat(c.awaitClose(CLOSE_WITHIN)).isTrue();
        }
    }

    @Test
    void loginThatNeverCompletesIsClosedByTheLoginTimeout() throws IOException {
        try (PduChannel c = PduChannel.connect(target.localAddress())) {
            startLogin(c);
            c.sendRaw(new byte[20]); // a partial BHS, never completed
            long start = System.nanoTime();
            assertThat(c.awaitClose(Duration.ofMillis(LOGIN_TIMEOUT_MILLIS + 3000))).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(LOGIN_TIMEOUT_MILLIS + 3000);
        }
    }

    // -------------------------------------------------------------------------------- full feature phase

    @Test
    void loginRequestInFullFeaturePhaseIsAProtocolError() throws IOException {
        try (TestInitiator i = login(Map.of())) {
            i.send(Bhs.of(Bhs.LOGIN_REQUEST).immediate(true).flags(0x87).itt(i.nextTag())
                    .i32(24, i.cmdSN()).i32(28, i.expStatSN()), TextKeys.encode(firstLoginKeys()));
            assertReject(readStatus(i), REASON_PROTOCOL_ERROR, Bhs.LOGIN_REQUEST);
            assertStillUsable(i);
        }
    }

    @Test
    void unknownOpcodeIsRejectedAsNotSupported() throws IOException {
        try (TestInitiator i = login(Map.of())) {
            i.send(Bhs.of(0x1C).immediate(true).flags(0x80).itt(i.nextTag()).i32(24, i.cmdSN())
                    .i32(28, i.expStatSN()), new byte[0]);
            assertReject(readStatus(i), REASON_COMMAND_NOT_SUPPORTED, 0x1C);
            assertStillUsable(i);
        }
    }

    @Test
    void reservedCodeValueIsAProtocolError() throws IOException {
        try (TestInitiator i = login(Map.of())) {
            // ATTR 7 is reserved (RFC 7143 §11.3.1.4; §11.2: reserved code values are protocol errors).
            i.send(testUnitReady(i.nextTag(), i.cmdSN(), i.expStatSN()).flags(0x87), new byte[0]);
            assertReject(readStatus(i), REASON_PROTOCOL_ERROR, Bhs.SCSI_COMMAND);
            assertStillUsable(i);
        }
    }

    @Test
    void dataSegmentLengthOverMaxRecvDataSegmentLengthClosesTheConnection() throws IOException {
        try (TestInitiator i = login(Map.of())) {
            byte[] big = new byte[65536 + 4];
            i.send(Bhs.of(Bhs.NOP_OUT).immediate(true).flags(0x80).itt(i.nextTag()).i32(20, Bhs.RESERVED_TAG)
                    .i32(24, i.cmdSN()).i32(28, i.expStatSN()), big);
            assertThat(i.awaitClose(CLOSE_WITHIN)).isTrue();
        }
    }

    @Test
    void absurdTotalAhsLengthClosesTheConnection() throws IOException {
        try (TestInitiator i = login(Map.of())) {
            byte[] frame = PduChannel.frame(testUnitReady(i.nextTag(), i.cmdSN(), i.expStatSN()).totalAhsLength(255),
                    new byte[0], 0, 0, false, false, false, false);
            i.sendRaw(concat(frame, new byte[255 * 4]));
            assertThat(i.awaitClose(CLOSE_WITHIN)).isTrue();
        }
    }

    @Test
    void ahsInconsistentWithTotalAhsLengthIsRejected() throws IOException {
        try (TestInitiator i = login(Map.of())) {
            byte[] frame = PduChannel.frame(testUnitReady(i.nextTag(), i.cmdSN(), i.expStatSN()).totalAhsLength(1),
                    new byte[0], 0, 0, false, false, false, false);
            // One AHS word whose AHSLength (40) does not fit TotalAHSLength (4 bytes).
            byte[] ahs = {0, 40, 1, 0};
            i.sendRaw(concat(frame, ahs));
            RawPdu r = readStatus(i);
            assertThat(r.opcode()).as("%s", r).isEqualTo(Bhs.REJECT);
            assertThat(r.u8(2)).isIn(REASON_PROTOCOL_ERROR, REASON_INVALID_PDU_FIELD);
            assertStillUsable(i);
        }
    }

    @Test
    void badHeaderDigestClosesTheConnection() throws IOException {
        try (TestInitiator i = login(Map.of("HeaderDigest", "CRC32C"))) {
            i.sendWithBadHeaderDigest(testUnitReady(i.nextTag(), i.cmdSN(), i.expStatSN()), new byte[0]);
            assertThat(i.awaitClose(CLOSE_WITHIN)).as("RFC 7143 §7.8: discard or close").isTrue();
        }
    }

    @Test
    void badDataDigestIsRejectedAndThePduDiscarded() throws IOException {
        try (TestInitiator i = login(Map.of("DataDigest", "CRC32C", "ImmediateData", "Yes", "InitialR2T", "Yes"))) {
            i.corruptDataDigestOfNextCommand();
            ScsiResult w = i.write16(8, new byte[512]);
            assertThat(w.rejects()).hasSize(1);
            assertThat(w.rejects().get(0).u8(2)).isEqualTo(REASON_DATA_DIGEST_ERROR);
            byte[] ping = {1, 2, 3, 4};
            assertThat(i.nopOut(ping)).isEqualTo(ping);
        }
    }

    @Test
    void commandOutsideTheCmdSnWindowIsSilentlyDropped() throws IOException {
        try (TestInitiator i = login(Map.of())) {
            int expCmdSN = i.cmdSN();
            i.send(Bhs.of(Bhs.NOP_OUT).flags(0x80).itt(i.nextTag()).i32(20, Bhs.RESERVED_TAG)
                    .i32(24, expCmdSN + 100_000).i32(28, i.expStatSN()), new byte[] {1, 2, 3, 4});
            // Nothing answers it: the next PDU is the answer to an immediate ping.
            byte[] ping = {5, 6, 7, 8};
            assertThat(i.nopOut(ping)).isEqualTo(ping);
            assertThat(i.targetExpCmdSN()).isEqualTo(expCmdSN);
            assertStillUsable(i);
        }
    }

    @Test
    void dataOutForAnUnknownTaskIsRejected() throws IOException {
        try (TestInitiator i = login(Map.of())) {
            i.send(dataOut(0x7777, 0x1234, 0, 0, true, i.expStatSN()), new byte[512]);
            assertReject(readStatus(i), REASON_INVALID_PDU_FIELD, Bhs.DATA_OUT);
            assertStillUsable(i);
        }
    }

    @Test
    void unsolicitedDataBeyondTheExpectedLengthIsRejected() throws IOException {
        try (TestInitiator i = login(Map.of("InitialR2T", "No", "ImmediateData", "No"))) {
            int tag = i.nextTag();
            i.send(write16(tag, i.cmdSN(), i.expStatSN(), 16, 4096, false), new byte[0]);
            i.send(dataOut(tag, Bhs.RESERVED_TAG, 0, 4096, true, i.expStatSN()), new byte[512]);
            assertReject(readStatus(i), REASON_PROTOCOL_ERROR, Bhs.DATA_OUT);
            // Then the real data: the command completes normally.
            i.send(dataOut(tag, Bhs.RESERVED_TAG, 0, 0, true, i.expStatSN()), new byte[4096]);
            RawPdu r = i.readPdu();
            assertThat(r.opcode()).as("%s", r).isEqualTo(Bhs.SCSI_RESPONSE);
            assertThat(r.u8(3)).as("GOOD").isZero();
        }
    }

    @Test
    void overlappingDataOutEndsTheCommandWithCheckCondition() throws IOException {
        try (TestInitiator i = login(Map.of("InitialR2T", "No", "ImmediateData", "No"))) {
            int tag = i.nextTag();
            i.send(write16(tag, i.cmdSN(), i.expStatSN(), 16, 4096, false), new byte[0]);
            i.send(dataOut(tag, Bhs.RESERVED_TAG, 0, 0, false, i.expStatSN()), new byte[2048]);
            i.send(dataOut(tag, Bhs.RESERVED_TAG, 1, 1024, true, i.expStatSN()), new byte[3072]); // overlaps
            assertCheckConditionAbortedCommand(i.readPdu());
        }
    }

    @Test
    void dataSnOutOfOrderEndsTheCommandWithCheckCondition() throws IOException {
        try (TestInitiator i = login(Map.of("InitialR2T", "No", "ImmediateData", "No"))) {
            int tag = i.nextTag();
            i.send(write16(tag, i.cmdSN(), i.expStatSN(), 16, 4096, false), new byte[0]);
            i.send(dataOut(tag, Bhs.RESERVED_TAG, 5, 0, true, i.expStatSN()), new byte[4096]);
            assertCheckConditionAbortedCommand(i.readPdu());
        }
    }

    @Test
    void tooManyImmediateCommandsAreRejected() throws IOException {
        try (TestInitiator i = login(Map.of("InitialR2T", "Yes", "ImmediateData", "No"))) {
            // Immediate writes that wait for their data stay outstanding.
            int r2ts = 0;
            for (int n = 0; n < MAX_IMMEDIATE_COMMANDS; n++) {
                i.send(write16(i.nextTag(), i.cmdSN(), i.expStatSN(), 16 + n * 8, 4096, true).immediate(true),
                        new byte[0]);
            }
            i.send(write16(i.nextTag(), i.cmdSN(), i.expStatSN(), 64, 4096, true).immediate(true), new byte[0]);
            RawPdu reject = null;
            for (int n = 0; n < MAX_IMMEDIATE_COMMANDS + 1 && reject == null; n++) {
                RawPdu p = i.readPdu();
                if (p.opcode() == Bhs.REJECT) {
                    reject = p;
                } else {
                    assertThat(p.opcode()).as("%s", p).isEqualTo(Bhs.R2T);
                    r2ts++;
                }
            }
            assertThat(reject).as("a Reject for the third immediate command").isNotNull();
            assertReject(reject, REASON_IMMEDIATE_COMMAND_REJECT, Bhs.SCSI_COMMAND);
            assertThat(r2ts).isLessThanOrEqualTo(MAX_IMMEDIATE_COMMANDS);
        }
    }

    @Test
    void writesBeyondTheSessionWriteBufferWaitForEarlierOnes() throws IOException {
        try (TestInitiator i = login(Map.of("InitialR2T", "Yes", "ImmediateData", "No"))) {
            int a = i.nextTag();
            int b = i.nextTag();
            int cmdSN = i.cmdSN();
            // Two 64 KiB writes; the session buffers at most 64 KiB of write data.
            i.send(write16(a, cmdSN, i.expStatSN(), 256, 65536, true), new byte[0]);
            i.send(write16(b, cmdSN + 1, i.expStatSN(), 512, 65536, true), new byte[0]);
            RawPdu r2tA = i.readPdu();
            assertThat(r2tA.opcode()).as("%s", r2tA).isEqualTo(Bhs.R2T);
            assertThat(r2tA.itt()).isEqualTo(a);
            i.readTimeout(Duration.ofMillis(500));
            assertThatThrownBy(i::readPdu).as("no R2T for the second write yet")
                    .isInstanceOf(SocketTimeoutException.class);
            i.readTimeout(Duration.ofSeconds(10));
            sendBurst(i, a, r2tA, Targets.pattern(65536, 7));
            RawPdu done = i.readPdu();
            assertThat(done.opcode()).as("%s", done).isEqualTo(Bhs.SCSI_RESPONSE);
            assertThat(done.itt()).isEqualTo(a);
            RawPdu r2tB = i.readPdu();
            assertThat(r2tB.opcode()).as("%s", r2tB).isEqualTo(Bhs.R2T);
            assertThat(r2tB.itt()).isEqualTo(b);
            sendBurst(i, b, r2tB, Targets.pattern(65536, 8));
            RawPdu doneB = i.readPdu();
            assertThat(doneB.itt()).isEqualTo(b);
            assertThat(doneB.u8(3)).as("GOOD").isZero();
        }
    }

    @Test
    void pipelinedReadsBeyondTheSessionDataBufferAllComplete() throws IOException {
        try (TestInitiator i = login(Map.of("MaxRecvDataSegmentLength", "65536"))) {
            int cmdSN = i.cmdSN();
            java.util.Set<Integer> open = new java.util.HashSet<>();
            for (int n = 0; n < 6; n++) { // 6 x 64 KiB of Data-In against a 64 KiB budget
                int tag = i.nextTag();
                open.add(tag);
                i.send(read16(tag, cmdSN + n, i.expStatSN(), 2048 + n * 128, 65536), new byte[0]);
            }
            int received = 0;
            while (!open.isEmpty()) {
                RawPdu p = i.readPdu();
                if (p.opcode() == Bhs.DATA_IN) {
                    received += p.data().length;
                    if ((p.flags() & 0x01) != 0) { // S bit: status in the last Data-In
                        assertThat(p.u8(3)).as("GOOD").isZero();
                        assertThat(open.remove(p.itt())).isTrue();
                    }
                } else {
                    throw new AssertionError("unexpected " + p);
                }
            }
            assertThat(received).isEqualTo(6 * 65536);
        }
    }

    @Test
    void anInitiatorThatNeverReadsIsThrottledNotBuffered() throws Exception {
        // NOP-Out pings with 8 KiB of data, each echoed in a NOP-In, sent without ever reading the answers. The
        // target must stop reading once maxPendingOutputBytes (default 4 MiB) of output is queued, so the sender
        // blocks after a few MiB (queued output plus both sides' socket buffers), never after 128 MiB.
        TestInitiator i = login(Map.of());
        try {
            byte[] ping = new byte[8192];
            long limit = 128L << 20;
            java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
            Thread writer = new Thread(() -> {
                try {
                    while (sent.get() < limit) {
                        i.send(Bhs.of(Bhs.NOP_OUT).immediate(true).flags(0x80).itt(1).i32(20, Bhs.RESERVED_TAG)
                                .i32(24, 0).i32(28, 0), ping);
                        sent.addAndGet(ping.length + Bhs.LENGTH);
                    }
                } catch (IOException closed) {
                    // the test closed the socket
                }
            }, "hostile-writer");
            writer.setDaemon(true);
            writer.start();
            long last = -1;
            for (int n = 0; n < 40 && sent.get() != last; n++) { // until the writer stops making progress
                last = sent.get();
                Thread.sleep(250);
            }
            assertThat(sent.get()).as("bytes the target accepted from a peer that never reads")
                    .isLessThan(64L << 20);
        } finally {
            i.close(); // also ends the blocked writer
        }
    }

    @Test
    void textKeyNameLongerThan63BytesIsRejected() throws IOException {
        assertTextRejected(("X" + "k".repeat(63) + "=1\0").getBytes(StandardCharsets.US_ASCII),
                REASON_PROTOCOL_ERROR);
    }

    @Test
    void textValueLongerThan255BytesIsRejected() throws IOException {
        assertTextRejected(("InitiatorAlias=" + "a".repeat(256) + "\0").getBytes(StandardCharsets.US_ASCII),
                REASON_PROTOCOL_ERROR);
    }

    @Test
    void duplicateTextKeyIsRejected() throws IOException {
        assertTextRejected("SendTargets=All\0SendTargets=All\0".getBytes(StandardCharsets.US_ASCII),
                REASON_PROTOCOL_ERROR);
    }

    @Test
    void textBeyondTheLimitIsRejectedAsOutOfResources() throws IOException {
        try (TestInitiator i = login(Map.of("MaxRecvDataSegmentLength", "65536"))) {
            int tag = i.nextTag();
            byte[] part = new byte[32768];
            Arrays.fill(part, (byte) 'a');
            int ttt = Bhs.RESERVED_TAG;
            RawPdu r = null;
            for (int n = 0; n < 4; n++) { // 128 KiB joined by the C bit, over the 64 KiB bound
                i.send(Bhs.of(Bhs.TEXT_REQUEST).immediate(true).flags(0x40).itt(tag).i32(20, ttt)
                        .i32(24, i.cmdSN()).i32(28, i.expStatSN()), part);
                r = readStatus(i);
                if (r.opcode() != Bhs.TEXT_RESPONSE) {
                    break;
                }
                ttt = r.ttt();
            }
            assertReject(r, REASON_OUT_OF_RESOURCES, Bhs.TEXT_REQUEST);
            assertStillUsable(i);
        }
    }

    @Test
    void snackAtErrorRecoveryLevelZeroIsRejected() throws IOException {
        try (TestInitiator i = login(Map.of())) {
            i.send(Bhs.of(Bhs.SNACK).flags(0x80).itt(i.nextTag()).i32(20, Bhs.RESERVED_TAG)
                    .i32(28, i.expStatSN()), new byte[0]);
            RawPdu r = readStatus(i);
            assertThat(r.opcode()).as("%s", r).isEqualTo(Bhs.REJECT);
            assertThat(r.u8(2)).isIn(0x03, REASON_PROTOCOL_ERROR, REASON_COMMAND_NOT_SUPPORTED);
            assertStillUsable(i);
        }
    }

    @Test
    void randomGarbageNeverHangsTheTarget() throws IOException {
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 8; round++) {
            try (PduChannel c = PduChannel.connect(target.localAddress())) {
                byte[] junk = new byte[48 * (1 + random.nextInt(40))];
                random.nextBytes(junk);
                junk[4] = 0; // keep TotalAHSLength and DataSegmentLength small so the frame completes
                junk[5] = 0;
                junk[6] = 0;
                junk[7] = 0;
                c.sendRaw(junk);
                // Either a Login Response refusing it or a close; never silence beyond the login timeout.
                assertThat(c.awaitClose(Duration.ofMillis(LOGIN_TIMEOUT_MILLIS + 3000))).isTrue();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    static void assertServed(IscsiTarget t, String initiatorName) throws IOException {
        try (TestInitiator good = TestInitiator.connect(t.localAddress())) {
            good.login(initiatorName, Targets.IQN, Map.of());
            byte[] data = Targets.pattern(8192, 99);
            assertThat(good.write16(1000, data).good()).isTrue();
            assertThat(good.read16(1000, data.length / 512).data()).isEqualTo(data);
            good.logout();
        }
    }

    private static TestInitiator login(Map<String, String> offer) throws IOException {
        TestInitiator i = Targets.login(target, new LinkedHashMap<>(offer));
        i.readTimeout(Duration.ofSeconds(10));
        return i;
    }

    /** Reads the next PDU and accounts its StatSN and window (a Reject takes a StatSN too). */
    private static RawPdu readStatus(TestInitiator i) throws IOException {
        RawPdu r = i.readPdu();
        i.acceptStatus(r);
        return r;
    }

    private static void assertStillUsable(TestInitiator i) throws IOException {
        assertThat(i.testUnitReady().good()).as("the connection still works: %s", i.recentPdus()).isTrue();
    }

    private static Map<String, String> firstLoginKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", "iqn.2026-11.io.iscsi4j:hostile");
        keys.put("SessionType", "Normal");
        keys.put("TargetName", Targets.IQN);
        keys.put("AuthMethod", "None");
        return keys;
    }

    private static final byte[] ISID = {(byte) 0x80, 1, 2, 3, 0, 1};

    /** A security-stage Login Request; the caller adds the text. */
    private static Bhs loginRequest(boolean transit, boolean continueFlag, int nsg, int cmdSN) {
        return Bhs.of(Bhs.LOGIN_REQUEST).immediate(true)
                .flags((transit ? 0x80 : 0) | (continueFlag ? 0x40 : 0) | (transit ? nsg : 0))
                .bytes(8, ISID).itt(0x10).i32(24, cmdSN);
    }

    /** Sends a first Login Request that stays in the security stage and reads its (successful) answer. */
    static void startLogin(PduChannel c) throws IOException {
        byte[] text = TextKeys.encode(firstLoginKeys());
        c.send(loginRequest(false, false, 0, 0), text, 0, text.length);
        RawPdu r = c.receive();
        assertLoginStatus(r, 0, 0);
    }

    private static void assertLoginFails(byte[] text, int statusClass, int statusDetail) throws IOException {
        try (PduChannel c = PduChannel.connect(target.localAddress())) {
            c.send(loginRequest(true, false, 1, 0), text, 0, text.length);
            assertLoginStatus(c.receive(), statusClass, statusDetail);
            assertThat(c.awaitClose(CLOSE_WITHIN)).isTrue();
        }
    }

    private static void assertLoginStatus(RawPdu r, int statusClass, int statusDetail) {
        assertThat(r.opcode()).as("%s", r).isEqualTo(Bhs.LOGIN_RESPONSE);
        assertThat(r.u8(36)).as("Status-Class of %s", r).isEqualTo(statusClass);
        assertThat(r.u8(37)).as("Status-Detail of %s", r).isEqualTo(statusDetail);
    }

    private static void assertReject(RawPdu r, int reason, int rejectedOpcode) {
        assertThat(r).isNotNull();
        assertThat(r.opcode()).as("%s", r).isEqualTo(Bhs.REJECT);
        assertThat(r.u8(2)).as("Reject reason of %s", r).isEqualTo(reason);
        assertThat(r.itt()).as("Reject ITT").isEqualTo(Bhs.RESERVED_TAG);
        assertThat(r.data().length).as("the rejected header").isGreaterThanOrEqualTo(Bhs.LENGTH);
        assertThat(r.data()[0] & 0x3F).as("rejected opcode").isEqualTo(rejectedOpcode);
    }

    private static void assertTextRejected(byte[] text, int reason) throws IOException {
        try (TestInitiator i = login(Map.of())) {
            i.send(Bhs.of(Bhs.TEXT_REQUEST).immediate(true).flags(0x80).itt(i.nextTag()).i32(20, Bhs.RESERVED_TAG)
                    .i32(24, i.cmdSN()).i32(28, i.expStatSN()), text);
            assertReject(readStatus(i), reason, Bhs.TEXT_REQUEST);
            assertStillUsable(i);
        }
    }

    private static void assertCheckConditionAbortedCommand(RawPdu r) {
        assertThat(r.opcode()).as("%s", r).isEqualTo(Bhs.SCSI_RESPONSE);
        assertThat(r.u8(3)).as("CHECK CONDITION").isEqualTo(0x02);
        byte[] sense = r.data(); // 2-byte SenseLength, then fixed-format sense data
        assertThat(sense.length).isGreaterThan(2 + 13);
        assertThat(sense[2 + 2] & 0x0F).as("ABORTED COMMAND").isEqualTo(0x0B);
    }

    private static Bhs testUnitReady(int tag, int cmdSN, int expStatSN) {
        return Bhs.of(Bhs.SCSI_COMMAND).flags(0x81).lun(0).itt(tag).i32(20, 0).i32(24, cmdSN).i32(28, expStatSN);
    }

    private static Bhs write16(int tag, int cmdSN, int expStatSN, long lba, int length, boolean finalFlag) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x8A;
        for (int k = 0; k < 8; k++) {
            cdb[2 + k] = (byte) (lba >>> (56 - 8 * k));
        }
        int blocks = length / 512;
        cdb[10] = (byte) (blocks >>> 24);
        cdb[11] = (byte) (blocks >>> 16);
        cdb[12] = (byte) (blocks >>> 8);
        cdb[13] = (byte) blocks;
        return Bhs.of(Bhs.SCSI_COMMAND).flags((finalFlag ? 0x80 : 0) | 0x20 | 0x01).lun(0).itt(tag)
                .i32(20, length).i32(24, cmdSN).i32(28, expStatSN).bytes(32, cdb);
    }

    private static Bhs read16(int tag, int cmdSN, int expStatSN, long lba, int length) {
        Bhs b = write16(tag, cmdSN, expStatSN, lba, length, true).flags(0x80 | 0x40 | 0x01);
        return b.u8(32, 0x88); // READ (16)
    }

    private static Bhs dataOut(int tag, int ttt, int dataSN, int offset, boolean finalFlag, int expStatSN) {
        return Bhs.of(Bhs.DATA_OUT).flags(finalFlag ? 0x80 : 0).lun(0).itt(tag).i32(20, ttt).i32(28, expStatSN)
                .i32(36, dataSN).i32(40, offset);
    }

    /** Answers one R2T with Data-Out PDUs of at most 8 KiB (the initiator's default segment limit). */
    private static void sendBurst(TestInitiator i, int tag, RawPdu r2t, byte[] data) throws IOException {
        int offset = r2t.i32(40);
        int length = r2t.i32(44);
        int dataSN = 0;
        for (int done = 0; done < length; done += 8192) {
            int n = Math.min(8192, length - done);
            i.send(dataOut(tag, r2t.ttt(), dataSN++, offset + done, done + n == length, i.expStatSN()),
                    Arrays.copyOfRange(data, offset + done, offset + done + n));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
