package io.iscsi4j.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import io.iscsi4j.core.login.LoginOutcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks that the checked-in seed corpus is what {@link SeedCorpus} generates (so the seeds stay meaningful when
 * the generator changes), and that the fuzz targets' invariants hold on it.
 */
class SeedCorpusTest {

    @Test
    void everyGeneratedSeedIsCheckedIn() throws IOException {
        assertCheckedIn("PduFrameDecoderFuzzTestInputs/decodeStream", SeedCorpus.decoderSeeds());
        assertCheckedIn("LoginFuzzTestInputs/loginSequence", SeedCorpus.loginSeeds());
        assertCheckedIn("LoginFuzzTestInputs/textExchange", SeedCorpus.textSeeds());
        assertCheckedIn("LoginFuzzTestInputs/textParameters", SeedCorpus.textParameterSeeds());
        assertCheckedIn("ConnectionFuzzTestInputs/fullFeaturePhase", SeedCorpus.connectionSeeds());
    }

    @Test
    void decoderSeedsMeanWhatTheirNamesSay() {
        Map<String, byte[]> seeds = SeedCorpus.decoderSeeds();
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            List<String> kinds = PduFrameDecoderFuzzTest.decode(seed.getValue());
            String name = seed.getKey();
            assertThat(kinds).as(name).isNotEmpty();
            if (name.startsWith("bad-header-digest") || name.startsWith("data-segment-over-limit")) {
                assertThat(kinds).as(name).containsExactly("FramingError");
            } else if (name.startsWith("bad-data-digest") || name.startsWith("unknown-opcode")) {
                assertThat(kinds).as(name).containsExactly("MalformedPdu", "Pdu");
            } else {
                assertThat(kinds).as(name).containsOnly("Pdu");
            }
        }
        assertThat(PduFrameDecoderFuzzTest.decode(seeds.get("stream-byte-chunks"))).hasSize(5);
        assertThat(PduFrameDecoderFuzzTest.decode(seeds.get("scsi-write-immediate-digests"))).hasSize(2);
    }

    @Test
    void loginSeedsMeanWhatTheirNamesSay() {
        Map<String, byte[]> seeds = SeedCorpus.loginSeeds();
        for (String complete : List.of("security-then-operational", "operational-only", "security-no-transit-first",
                "discovery", "continued-request", "continued-response-512")) {
            assertThat(LoginFuzzTest.login(seeds.get(complete))).as(complete).isEqualTo(LoginOutcome.COMPLETE);
        }
        for (String failed : List.of("chap-wrong-response", "unsupported-version", "access-denied", "isid-changes",
                "tsih-unknown-session")) {
            assertThat(LoginFuzzTest.login(seeds.get(failed))).as(failed).isEqualTo(LoginOutcome.FAILED);
        }
    }

    @Test
    void textSeedsMeanWhatTheirNamesSay() {
        Map<String, byte[]> seeds = SeedCorpus.textSeeds();
        assertThat(LoginFuzzTest.text(seeds.get("normal-sendtargets"))).containsExactly("answer");
        assertThat(LoginFuzzTest.text(seeds.get("discovery-sendtargets-512"))).hasSize(5).containsOnly("answer");
        assertThat(LoginFuzzTest.text(seeds.get("continued-request"))).containsExactly("answer", "answer");
        assertThat(LoginFuzzTest.text(seeds.get("not-final-then-final"))).containsExactly("answer", "answer");
    }

    @Test
    void connectionSeedsMeanWhatTheirNamesSay() throws Exception {
        Map<String, byte[]> seeds = SeedCorpus.connectionSeeds();
        assertThat(ConnectionFuzzTest.run(seeds.get("test-unit-ready-inquiry")))
                .containsExactly("SCSI_RESPONSE", "DATA_IN");
        assertThat(ConnectionFuzzTest.run(seeds.get("write-immediate-and-unsolicited"))).containsExactly("SCSI_RESPONSE");
        assertThat(ConnectionFuzzTest.run(seeds.get("write-immediate-and-unsolicited-chunked")))
                .containsExactly("SCSI_RESPONSE");
        assertThat(ConnectionFuzzTest.run(seeds.get("read-10"))).contains("DATA_IN");
        assertThat(ConnectionFuzzTest.run(seeds.get("write-waits-for-r2t"))).containsExactly("R2T");
        assertThat(ConnectionFuzzTest.run(seeds.get("nop-text-logout")))
                .containsExactly("NOP_IN", "TEXT_RESPONSE", "LOGOUT_RESPONSE");
        assertThat(ConnectionFuzzTest.run(seeds.get("abort-task"))).contains("R2T", "TASK_MANAGEMENT_RESPONSE");
        // found by fuzzing: WRITE(10) without the W bit is answered (CHECK CONDITION), not logged as an error
        try (InputStream in = SeedCorpusTest.class.getResourceAsStream(
                "ConnectionFuzzTestInputs/fullFeaturePhase/finding-write-cdb-without-w-bit")) {
            assertThat(in).isNotNull();
            assertThat(ConnectionFuzzTest.run(in.readAllBytes())).startsWith("SCSI_RESPONSE");
        }
    }

    private static void assertCheckedIn(String dir, Map<String, byte[]> seeds) throws IOException {
        assertThat(seeds).hasSizeGreaterThanOrEqualTo(SeedRuns.MIN_SEEDS);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            String name = dir + "/" + seed.getKey();
            try (InputStream in = SeedCorpusTest.class.getResourceAsStream(name)) {
                assertThat(in).as("seed %s (regenerate with SeedCorpus)", name).isNotNull();
                assertThat(in.readAllBytes()).as("seed %s (regenerate with SeedCorpus)", name)
                        .isEqualTo(seed.getValue());
            }
        }
    }
}
