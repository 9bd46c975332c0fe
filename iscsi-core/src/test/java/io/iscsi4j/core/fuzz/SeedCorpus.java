package io.iscsi4j.core.fuzz;

import io.iscsi4j.core.pdu.DataOut;
import io.iscsi4j.core.pdu.DigestSettings;
import io.iscsi4j.core.pdu.LoginRequest;
import io.iscsi4j.core.pdu.LogoutRequest;
import io.iscsi4j.core.pdu.NopOut;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.PduEncoder;
import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.core.pdu.TaskManagementRequest;
import io.iscsi4j.core.pdu.TextRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the checked-in seed corpus of the fuzz tests: meaningful inputs in each fuzz method's input layout (valid
 * logins in the security and operational stages, text requests, SCSI commands with immediate data, Data-Out,
 * NOP-Out, with and without digests, plus a few deliberately broken ones). Inputs found by fuzzing are added to the
 * same directories by Jazzer and are not produced here.
 *
 * <p>Run from the module directory to regenerate:
 * {@code java -cp target/test-classes:target/classes:<deps> io.iscsi4j.core.fuzz.SeedCorpus src/test/resources}
 * (the {@link SeedCorpusTest} checks that every generated seed is on disk).
 */
final class SeedCorpus {

    private static final String INITIATOR = LoginFuzzTest.INITIATOR;
    private static final String TARGET = LoginFuzzTest.TARGET;
    private static final long ISID = LoginFuzzTest.ISID;

    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Paths.get(args.length > 0 ? args[0] : "src/test/resources").resolve("io/iscsi4j/core/fuzz");
        write(root.resolve("PduFrameDecoderFuzzTestInputs/decodeStream"), decoderSeeds());
        write(root.resolve("LoginFuzzTestInputs/loginSequence"), loginSeeds());
        write(root.resolve("LoginFuzzTestInputs/textExchange"), textSeeds());
        write(root.resolve("LoginFuzzTestInputs/textParameters"), textParameterSeeds());
        write(root.resolve("ConnectionFuzzTestInputs/fullFeaturePhase"), connectionSeeds());
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
    }

    // ---- PduFrameDecoderFuzzTest.decodeStream: config byte, chunking byte, stream ----

    static Map<String, byte[]> decoderSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        DigestSettings none = DigestSettings.NONE;
        DigestSettings both = DigestSettings.BOTH;
        DigestSettings header = new DigestSettings(true, false);
        DigestSettings data = new DigestSettings(false, true);
        seeds.put("login-security", decoderInput(none, 0, 0, securityLogin()));
        seeds.put("login-operational", decoderInput(none, 0, 5, operationalLogin()));
        seeds.put("text-sendtargets", decoderInput(none, 0, 0, textRequest("SendTargets=All\0")));
        seeds.put("scsi-write-immediate-digests", decoderInput(both, 0, 7, write10(512), dataOut(512, 512, 0x11)));
        seeds.put("scsi-write-immediate", decoderInput(none, 0, 0, write10(512)));
        seeds.put("scsi-read-header-digest", decoderInput(header, 0, 3, read10()));
        seeds.put("scsi-extended-cdb", decoderInput(none, 0, 0, extendedCdbCommand()));
        seeds.put("data-out-header-digest", decoderInput(header, 0, 0, dataOut(1024, 0, 0x12)));
        seeds.put("nop-out-data-digest", decoderInput(data, 0, 9, nopOut("ping")));
        seeds.put("nop-out", decoderInput(none, 0, 0, nopOut("")));
        seeds.put("task-management-logout", decoderInput(both, 0, 2, abortTask(), logout()));
        seeds.put("stream-byte-chunks", decoderInput(none, 0, 1, securityLogin(), operationalLogin(),
                textRequest("SendTargets=All\0"), write10(512), nopOut("x")));
        seeds.put("stream-digests-limit-512", decoderInput(both, 1, 11, nopOut("abc"), read10(),
                dataOut(512, 0, 0x13)));
        byte[] corruptData = encode(nopOut("data digest is wrong"), data);
        corruptData[corruptData.length - 1] ^= 0x55;
        seeds.put("bad-data-digest", decoderInput(data, 0, 0, concat(corruptData, encode(nopOut(""), data))));
        byte[] corruptHeader = encode(nopOut(""), header);
        corruptHeader[48] ^= 0x01;
        seeds.put("bad-header-digest", decoderInput(header, 0, 0, concat(corruptHeader, encode(nopOut(""), header))));
        seeds.put("data-segment-over-limit", decoderInput(none, 1, 0, dataOut(1024, 0, 0x14)));
        byte[] unknownOpcode = encode(nopOut("xyz"), none);
        unknownOpcode[0] = 0x1c; // RFC 7143 §11.2.1.2: 0x1c is an unassigned initiator opcode
        seeds.put("unknown-opcode", decoderInput(none, 0, 0, concat(unknownOpcode, encode(nopOut(""), none))));
        return seeds;
    }

    /** The decoder input for a stream of PDUs encoded with {@code digests} (consumed). */
    private static byte[] decoderInput(DigestSettings digests, int limitIndex, int chunking, Pdu... pdus) {
        byte[][] encoded = new byte[pdus.length][];
        for (int i = 0; i < pdus.length; i++) {
            encoded[i] = encode(pdus[i], digests);
        }
        return decoderInput(digests, limitIndex, chunking, concat(encoded));
    }

    private static byte[] decoderInput(DigestSettings digests, int limitIndex, int chunking, byte[] stream) {
        int config = (digests.headerDigest() ? 1 : 0) | (digests.dataDigest() ? 2 : 0) | limitIndex << 2;
        return concat(new byte[] {(byte) config, (byte) chunking}, stream);
    }

    private static Pdu securityLogin() {
        return (LoginRequest.builder().transit(true).csg(0).nsg(1).isid(ISID).tsih(0).cid(1)
                .initiatorTaskTag(1).cmdSN(1).data(ascii(securityKeys())).build());
    }

    private static Pdu operationalLogin() {
        return (LoginRequest.builder().transit(true).csg(1).nsg(3).isid(ISID).tsih(0).cid(1)
                .initiatorTaskTag(1).cmdSN(1).data(ascii(operationalKeys())).build());
    }

    private static Pdu textRequest(String keys) {
        return (TextRequest.builder().finalFlag(true).initiatorTaskTag(2).targetTransferTag(0xFFFFFFFF)
                .cmdSN(1).expStatSN(1).data(ascii(keys)).build());
    }

    /** WRITE(10) of one 512-byte block with the block as immediate data. */
    private static Pdu write10(int immediate) {
        byte[] cdb = {0x2a, 0, 0, 0, 0, 0x10, 0, 0, (byte) ((immediate * 2) / 512), 0, 0, 0, 0, 0, 0, 0};
        return (ScsiCommand.builder().finalFlag(false).write(true).lun(0).initiatorTaskTag(3).cmdSN(2)
                .expStatSN(1).expectedDataTransferLength(immediate * 2L).cdb(cdb).data(pattern(immediate, 0x5a))
                .build());
    }

    private static Pdu read10() {
        byte[] cdb = {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0};
        return (ScsiCommand.builder().finalFlag(true).read(true).lun(0).initiatorTaskTag(4).cmdSN(3)
                .expStatSN(1).expectedDataTransferLength(4096).cdb(cdb).build());
    }

    /** A 32-byte CDB: 16 bytes in the BHS, the rest in an Extended CDB AHS (RFC 7143 §11.3.1.1). */
    private static Pdu extendedCdbCommand() {
        byte[] cdb = new byte[32];
        cdb[0] = 0x7f; // variable length CDB
        cdb[7] = 24;
        return (ScsiCommand.builder().finalFlag(true).read(true).lun(0).initiatorTaskTag(9).cmdSN(4)
                .expStatSN(1).expectedDataTransferLength(512).cdb(cdb).build());
    }

    private static Pdu dataOut(int length, int offset, int fill) {
        return (DataOut.builder().finalFlag(true).lun(0).initiatorTaskTag(3).targetTransferTag(0x100)
                .expStatSN(1).dataSN(0).bufferOffset(offset).data(pattern(length, fill)).build());
    }

    private static Pdu nopOut(String ping) {
        return (NopOut.builder().immediate(true).initiatorTaskTag(5).targetTransferTag(0xFFFFFFFF)
                .cmdSN(5).expStatSN(1).data(ascii(ping)).build());
    }

    private static Pdu abortTask() {
        return (TaskManagementRequest.builder().immediate(true).function(1).lun(0).initiatorTaskTag(7)
                .referencedTaskTag(3).refCmdSN(2).cmdSN(6).expStatSN(1).build());
    }

    private static Pdu logout() {
        return (LogoutRequest.builder().immediate(true).reasonCode(0).cid(1).initiatorTaskTag(8)
                .cmdSN(6).expStatSN(1).build());
    }

    /** Encodes through the production encoder with {@code digests}; the PDU is consumed. */
    static byte[] encode(Pdu pdu, DigestSettings digests) {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.attr(PduEncoder.DIGESTS).set(digests);
        channel.writeOutbound(pdu);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            wire.writeBytes(ByteBufUtil.getBytes(part)); // header, data, trailer
            part.release();
        }
        channel.finishAndReleaseAll();
        return wire.toByteArray();
    }

    // ---- LoginFuzzTest.loginSequence: config byte, then (flags, header, u16 length, text)* ----

    static Map<String, byte[]> loginSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("security-then-operational", login(0,
                request(true, false, 0, 1, 0, securityKeys()),
                request(true, false, 1, 3, 0, operationalKeys())));
        seeds.put("operational-only", login(0,
                request(true, false, 1, 3, 0, "InitiatorName=" + INITIATOR + "\0TargetName=" + TARGET
                        + "\0SessionType=Normal\0" + operationalKeys())));
        seeds.put("security-no-transit-first", login(0,
                request(false, false, 0, 0, 0, "InitiatorName=" + INITIATOR + "\0TargetName=" + TARGET
                        + "\0AuthMethod=None\0"),
                request(true, false, 0, 3, 0, "")));
        seeds.put("discovery", login(0,
                request(true, false, 0, 1, 0, "InitiatorName=" + INITIATOR + "\0SessionType=Discovery\0"
                        + "AuthMethod=None\0"),
                request(true, false, 1, 3, 0, "HeaderDigest=None\0DataDigest=None\0"
                        + "MaxRecvDataSegmentLength=8192\0")));
        seeds.put("chap-wrong-response", login(1,
                request(false, false, 0, 0, 0, "InitiatorName=" + INITIATOR + "\0TargetName=" + TARGET
                        + "\0SessionType=Normal\0AuthMethod=CHAP,None\0"),
                request(false, false, 0, 0, 0, "CHAP_A=7,5\0"),
                request(true, false, 0, 1, 0, "CHAP_N=fuzz\0CHAP_R=0x000102030405060708090a0b0c0d0e0f\0")));
        String keys = securityKeys();
        int half = keys.length() / 2;
        seeds.put("continued-request", login(0,
                request(false, true, 0, 0, 0, keys.substring(0, half)),
                request(true, false, 0, 1, 0, keys.substring(half)),
                request(true, false, 1, 3, 0, operationalKeys())));
        StringBuilder unknown = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            unknown.append("X-io.iscsi4j.fuzz-").append(i).append("=value").append(i).append('\0');
        }
        seeds.put("continued-response-512", login(2,
                request(true, false, 0, 1, 0, securityKeys()),
                request(false, false, 1, 0, 0, unknown.toString()),
                request(false, false, 1, 0, 0, ""),
                request(false, false, 1, 0, 0, ""),
                request(true, false, 1, 3, 0, operationalKeys())));
        seeds.put("unsupported-version", login(0, request(true, false, 0, 1, 0x10, securityKeys())));
        seeds.put("access-denied", login(4, request(true, false, 0, 1, 0, securityKeys())));
        seeds.put("isid-changes", login(0,
                request(false, false, 0, 0, 0, securityKeys()),
                request(true, false, 0, 1, 1, "")));
        seeds.put("tsih-unknown-session", login(0,
                request(true, false, 1, 3, 2, "InitiatorName=" + INITIATOR + "\0TargetName=" + TARGET + "\0")));
        return seeds;
    }

    private static String securityKeys() {
        return "InitiatorName=" + INITIATOR + "\0InitiatorAlias=fuzz\0SessionType=Normal\0TargetName=" + TARGET
                + "\0AuthMethod=None\0";
    }

    private static String operationalKeys() {
        return "HeaderDigest=CRC32C,None\0DataDigest=CRC32C,None\0MaxConnections=1\0InitialR2T=No\0"
                + "ImmediateData=Yes\0MaxRecvDataSegmentLength=262144\0MaxBurstLength=1048576\0"
                + "FirstBurstLength=262144\0DefaultTime2Wait=2\0DefaultTime2Retain=0\0MaxOutstandingR2T=1\0"
                + "DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0ErrorRecoveryLevel=0\0";
    }

    private static byte[] login(int config, byte[]... requests) {
        return concat(new byte[] {(byte) config}, concat(requests));
    }

    private static byte[] request(boolean transit, boolean continueFlag, int csg, int nsg, int header,
            String text) {
        int flags = (transit ? 0x80 : 0) | (continueFlag ? 0x40 : 0) | csg << 2 | nsg;
        return record(new byte[] {(byte) flags, (byte) header}, text);
    }

    // ---- LoginFuzzTest.textExchange: config byte, then (flags, [tag], u16 length, text)* ----

    static Map<String, byte[]> textSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("normal-sendtargets", text(0, textRecord(0x80, "SendTargets=All\0")));
        seeds.put("discovery-sendtargets-512", text(1 | 1 << 1, textRecord(0x80, "SendTargets=All\0"),
                textRecord(0x81, ""), textRecord(0x81, ""), textRecord(0x81, ""), textRecord(0x81, "")));
        seeds.put("continued-request", text(1, textRecord(0x40, "SendTar"), textRecord(0x81, "gets=All\0")));
        seeds.put("redeclare-and-reject", text(0, textRecord(0x80, "MaxRecvDataSegmentLength=4096\0"
                + "InitiatorAlias=fuzz\0X-com.example.key=1\0HeaderDigest=None\0")));
        seeds.put("discovery-sendtargets-name", text(1, textRecord(0x80, "SendTargets=" + TARGET + "\0")));
        seeds.put("not-final-then-final", text(0, textRecord(0x00, "SendTargets=\0"), textRecord(0x81, "")));
        return seeds;
    }

    private static byte[] text(int config, byte[]... requests) {
        return concat(new byte[] {(byte) config}, concat(requests));
    }

    private static byte[] textRecord(int flags, String text) {
        return record(new byte[] {(byte) flags}, text);
    }

    // ---- LoginFuzzTest.textParameters: raw key=value text ----

    static Map<String, byte[]> textParameterSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("security-keys", securityKeys().getBytes(StandardCharsets.UTF_8));
        seeds.put("operational-keys", operationalKeys().getBytes(StandardCharsets.UTF_8));
        seeds.put("chap-long-value",
                ("CHAP_C=0x" + "ab".repeat(512) + "\0CHAP_I=7\0").getBytes(StandardCharsets.UTF_8));
        seeds.put("utf8-alias", "InitiatorAlias=M\u00fcller \u2603\0".getBytes(StandardCharsets.UTF_8));
        seeds.put("no-trailing-nul", "SendTargets=All".getBytes(StandardCharsets.UTF_8));
        return seeds;
    }

    // ---- ConnectionFuzzTest.fullFeaturePhase: chunking byte, stream after the login ----

    /** The login every connection input starts with: operational stage to full feature phase, no digests. */
    static byte[] connectionLogin() {
        String keys = "InitiatorName=" + INITIATOR + "\0TargetName=" + ConnectionFuzzTest.TARGET
                + "\0SessionType=Normal\0HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=8192\0"
                + "ImmediateData=Yes\0InitialR2T=No\0FirstBurstLength=65536\0MaxBurstLength=262144\0";
        return encode(LoginRequest.builder().transit(true).csg(1).nsg(3).isid(ISID).tsih(0).cid(1)
                .initiatorTaskTag(1).cmdSN(1).data(ascii(keys)).build(), DigestSettings.NONE);
    }

    static Map<String, byte[]> connectionSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] tur = new byte[16];
        byte[] inquiry = {0x12, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        seeds.put("test-unit-ready-inquiry", connection(0, command(1, 2, false, false, 0, tur, 0),
                command(2, 3, true, false, 36, inquiry, 0)));
        byte[] write = {0x2a, 0, 0, 0, 0, 8, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
        byte[] writeWithImmediate = command(1, 4, false, true, 1024, write, 512);
        byte[] unsolicited = plain(DataOut.builder().finalFlag(true).lun(0).initiatorTaskTag(4)
                .targetTransferTag(0xFFFFFFFF).expStatSN(1).dataSN(0).bufferOffset(512).data(pattern(512, 0x21))
                .build());
        seeds.put("write-immediate-and-unsolicited", connection(0, writeWithImmediate, unsolicited));
        seeds.put("write-immediate-and-unsolicited-chunked", connection(7, writeWithImmediate, unsolicited));
        byte[] read = {0x28, 0, 0, 0, 0, 8, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0};
        seeds.put("read-10", connection(0, command(1, 5, true, false, 4096, read, 0)));
        byte[] writeSolicited = command(1, 6, true, true, 4096,
                new byte[] {0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0}, 0);
        seeds.put("write-waits-for-r2t", connection(0, writeSolicited));
        seeds.put("nop-text-logout", connection(3,
                plain(NopOut.builder().immediate(true).initiatorTaskTag(7).targetTransferTag(0xFFFFFFFF).cmdSN(1)
                        .expStatSN(1).data(ascii("ping")).build()),
                plain(TextRequest.builder().finalFlag(true).initiatorTaskTag(8).targetTransferTag(0xFFFFFFFF)
                        .cmdSN(1).expStatSN(1).data(ascii("SendTargets=All\0")).build()),
                plain(LogoutRequest.builder().immediate(true).reasonCode(0).cid(1).initiatorTaskTag(9).cmdSN(2)
                        .expStatSN(2).build())));
        seeds.put("abort-task", connection(0, writeSolicited,
                plain(TaskManagementRequest.builder().immediate(true).function(1).lun(0).initiatorTaskTag(10)
                        .referencedTaskTag(6).refCmdSN(1).cmdSN(2).expStatSN(1).build())));
        return seeds;
    }

    private static byte[] command(int cmdSN, int itt, boolean read, boolean write, int length, byte[] cdb,
            int immediate) {
        return plain(ScsiCommand.builder().finalFlag(immediate == 0 || immediate == length).read(read).write(write)
                .lun(0).initiatorTaskTag(itt).cmdSN(cmdSN).expStatSN(1).expectedDataTransferLength(length).cdb(cdb)
                .data(pattern(immediate, 0x30)).build());
    }

    private static byte[] connection(int chunking, byte[]... pdus) {
        return concat(new byte[] {(byte) chunking}, concat(pdus));
    }

    private static byte[] plain(Pdu pdu) {
        return encode(pdu, DigestSettings.NONE);
    }

    // ---- helpers ----

    private static byte[] record(byte[] head, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return concat(head, new byte[] {(byte) (bytes.length >> 8), (byte) bytes.length}, bytes);
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    private static ByteBuf pattern(int length, int fill) {
        ByteBuf buf = Unpooled.buffer(length);
        for (int i = 0; i < length; i++) {
            buf.writeByte(fill + i);
        }
        return buf;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
