package io.iscsi4j.core.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class TextKeyTest {

    @Test
    void looksUpKeysByWireNameCaseSensitively() {
        assertThat(TextKey.byWireName("MaxBurstLength")).hasValue(TextKey.MAX_BURST_LENGTH);
        assertThat(TextKey.byWireName("iSCSIProtocolLevel")).hasValue(TextKey.ISCSI_PROTOCOL_LEVEL);
        assertThat(TextKey.byWireName("maxburstlength")).isEmpty();
        assertThat(TextKey.byWireName("X-com.example.Key")).isEmpty();
        assertThat(TextKey.byWireName("CHAP_A")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "Yes, Yes, Yes",
        "Yes, No, No",
        "No, Yes, No",
        "No, No, No",
    })
    void andFunction(String offered, String mine, String result) {
        assertThat(TextKey.IMMEDIATE_DATA.negotiate(offered, mine)).isEqualTo(result);
    }

    @ParameterizedTest
    @CsvSource({
        "Yes, Yes, Yes",
        "Yes, No, Yes",
        "No, Yes, Yes",
        "No, No, No",
    })
    void orFunction(String offered, String mine, String result) {
        assertThat(TextKey.INITIAL_R2T.negotiate(offered, mine)).isEqualTo(result);
    }

    @Test
    void booleanOffersMustBeExactlyYesOrNo() {
        assertThat(TextKey.INITIAL_R2T.negotiate("yes", "No")).isEqualTo("Reject");
        assertThat(TextKey.INITIAL_R2T.negotiate("", "No")).isEqualTo("Reject");
        assertThat(TextKey.IMMEDIATE_DATA.negotiate("Irrelevant", "Yes")).isEqualTo("Reject");
    }

    @ParameterizedTest
    @CsvSource({
        "262144, 1048576, 262144",
        "16777215, 1048576, 1048576",
        "512, 1048576, 512",
        "0x40000, 1048576, 262144",
        "0X200, 1048576, 512",
    })
    void minimumFunction(String offered, String mine, String result) {
        assertThat(TextKey.MAX_BURST_LENGTH.negotiate(offered, mine)).isEqualTo(result);
    }

    @ParameterizedTest
    @CsvSource({
        "0, 2, 2",
        "10, 2, 10",
        "3600, 2, 3600",
    })
    void maximumFunction(String offered, String mine, String result) {
        assertThat(TextKey.DEFAULT_TIME_2_WAIT.negotiate(offered, mine)).isEqualTo(result);
    }

    @ParameterizedTest
    @CsvSource({
        "MaxBurstLength, 511",
        "MaxBurstLength, 16777216",
        "FirstBurstLength, 100",
        "MaxConnections, 0",
        "MaxConnections, 65536",
        "ErrorRecoveryLevel, 3",
        "DefaultTime2Wait, 3601",
        "MaxOutstandingR2T, 0",
        "iSCSIProtocolLevel, 32",
        "MaxBurstLength, abc",
        "MaxBurstLength, -1",
        "MaxBurstLength, 0x",
        "MaxBurstLength, 1e6",
        "MaxBurstLength, 99999999999999999999999",
        "MaxBurstLength, ''",
    })
    void offersOutsideTheRangeOrMalformedAreRejected(String key, String offered) {
        TextKey textKey = TextKey.byWireName(key).orElseThrow();
        assertThat(textKey.negotiate(offered == null ? "" : offered, "1")).isEqualTo("Reject");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "CRC32C,None; None,CRC32C; CRC32C",
        "None,CRC32C; None,CRC32C; None",
        "CRC32C; None; Reject",
        "MD5,None; None,CRC32C; None",
        ",,None,; None; None",
    })
    void listFunctionPicksTheFirstOfferedChoiceTheResponderSupports(String offered, String acceptable,
            String result) {
        assertThat(TextKey.HEADER_DIGEST.negotiate(offered, acceptable)).isEqualTo(result);
    }

    @Test
    void declarativeKeysAreNotNegotiated() {
        assertThatIllegalStateException().isThrownBy(() -> TextKey.MAX_RECV_DATA_SEGMENT_LENGTH.negotiate("8192", "8192"));
    }

    @Test
    void registryRecordsRfcDefaultsRangesAndTypes() {
        assertThat(TextKey.MAX_RECV_DATA_SEGMENT_LENGTH.defaultValue()).hasValue("8192");
        assertThat(TextKey.MAX_RECV_DATA_SEGMENT_LENGTH.minimum()).hasValue(512);
        assertThat(TextKey.MAX_RECV_DATA_SEGMENT_LENGTH.maximum()).hasValue(16_777_215);
        assertThat(TextKey.MAX_RECV_DATA_SEGMENT_LENGTH.scope()).isEqualTo(TextKey.Scope.CONNECTION_ONLY);
        assertThat(TextKey.MAX_RECV_DATA_SEGMENT_LENGTH.use()).isEqualTo(TextKey.Use.ALL);
        assertThat(TextKey.MAX_BURST_LENGTH.defaultValue()).hasValue("262144");
        assertThat(TextKey.FIRST_BURST_LENGTH.defaultValue()).hasValue("65536");
        assertThat(TextKey.DEFAULT_TIME_2_WAIT.type()).isEqualTo(TextKey.Type.NUMERIC_MAX);
        assertThat(TextKey.DEFAULT_TIME_2_RETAIN.type()).isEqualTo(TextKey.Type.NUMERIC_MIN);
        assertThat(TextKey.DEFAULT_TIME_2_RETAIN.defaultValue()).hasValue("20");
        assertThat(TextKey.ERROR_RECOVERY_LEVEL.maximum()).hasValue(2);
        assertThat(TextKey.INITIAL_R2T.type()).isEqualTo(TextKey.Type.BOOLEAN_OR);
        assertThat(TextKey.IMMEDIATE_DATA.type()).isEqualTo(TextKey.Type.BOOLEAN_AND);
        assertThat(TextKey.SESSION_TYPE.use()).isEqualTo(TextKey.Use.LEADING_ONLY);
        assertThat(TextKey.SESSION_TYPE.sender()).isEqualTo(TextKey.Sender.INITIATOR);
        assertThat(TextKey.SEND_TARGETS.use()).isEqualTo(TextKey.Use.FULL_FEATURE_ONLY);
        assertThat(TextKey.HEADER_DIGEST.use()).isEqualTo(TextKey.Use.INITIALIZE_ONLY);
        assertThat(TextKey.TARGET_PORTAL_GROUP_TAG.sender()).isEqualTo(TextKey.Sender.TARGET);
        assertThat(TextKey.INITIATOR_NAME.defaultValue()).isEmpty();
        assertThat(TextKey.HEADER_DIGEST.minimum()).isEmpty();
    }

    @Test
    void dataMovementKeysAreIrrelevantInDiscoverySessions() {
        Set<TextKey> irrelevant = Arrays.stream(TextKey.values()).filter(TextKey::irrelevantInDiscovery)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(TextKey.class)));

        assertThat(irrelevant).containsExactlyInAnyOrder(TextKey.MAX_CONNECTIONS, TextKey.INITIAL_R2T,
                TextKey.IMMEDIATE_DATA, TextKey.MAX_BURST_LENGTH, TextKey.FIRST_BURST_LENGTH,
                TextKey.MAX_OUTSTANDING_R2T, TextKey.DATA_PDU_IN_ORDER, TextKey.DATA_SEQUENCE_IN_ORDER,
                TextKey.TASK_REPORTING, TextKey.ISCSI_PROTOCOL_LEVEL);
    }

    @Test
    void obsoleteMarkerKeysHaveFixedAnswers() {
        assertThat(TextKey.OF_MARKER.obsoleteAnswer()).hasValue("No");
        assertThat(TextKey.IF_MARKER.obsoleteAnswer()).hasValue("No");
        assertThat(TextKey.OF_MARK_INT.obsoleteAnswer()).hasValue("Reject");
        assertThat(TextKey.IF_MARK_INT.obsoleteAnswer()).hasValue("Reject");
        assertThat(TextKey.MAX_BURST_LENGTH.obsoleteAnswer()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TextKey.class)
    void everyKeyFindsItselfAndHasAValidName(TextKey key) throws TextFormatException {
        assertThat(TextKey.byWireName(key.wireName())).hasValue(key);
        assertThat(TextParameters.decode(LoginRequests.text(key.wireName() + "=x")).pairs()).hasSize(1);
    }

    @Test
    void parsesNumbers() {
        assertThat(TextKey.parseNumber("0")).hasValue(0);
        assertThat(TextKey.parseNumber("16777215")).hasValue(16_777_215);
        assertThat(TextKey.parseNumber("0xFFffFF")).hasValue(16_777_215);
        assertThat(TextKey.parseNumber("٣")).isEmpty();
        assertThat(TextKey.parseNumber("+5")).isEmpty();
        assertThat(TextKey.parseNumber("0x1g")).isEmpty();
    }
}
