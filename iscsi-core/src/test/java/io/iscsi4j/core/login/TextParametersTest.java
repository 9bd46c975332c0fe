package io.iscsi4j.core.login;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.iscsi4j.core.login.LoginRequests.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextParametersTest {

    @Test
    void decodesPairsInOrder() throws TextFormatException {
        TextParameters decoded = TextParameters.decode(text("InitiatorName=iqn.x", "HeaderDigest=CRC32C,None",
                "SendTargets="));

        assertThat(decoded.pairs()).containsExactly(new TextParameter("InitiatorName", "iqn.x"),
                new TextParameter("HeaderDigest", "CRC32C,None"), new TextParameter("SendTargets", ""));
        assertThat(decoded.get("HeaderDigest")).hasValue("CRC32C,None");
        assertThat(decoded.get("DataDigest")).isEmpty();
    }

    @Test
    void valueMayContainEqualsSigns() throws TextFormatException {
        assertThat(TextParameters.decode(text("X-com.example.Expr=a=b")).get("X-com.example.Expr")).hasValue("a=b");
    }

    @Test
    void emptySegmentIsNoPairs() throws TextFormatException {
        assertThat(TextParameters.decode(new byte[0]).isEmpty()).isTrue();
    }

    @Test
    void encodesWithNulAfterEveryPairAndRoundTrips() throws TextFormatException {
        TextParameters pairs = TextParameters.of(List.of(new TextParameter("TargetAlias", "Bob's disk"),
                new TextParameter("MaxBurstLength", "262144")));

        byte[] encoded = pairs.encode();

        assertThat(encoded).isEqualTo("TargetAlias=Bob's disk\0MaxBurstLength=262144\0"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(TextParameters.decode(encoded)).isEqualTo(pairs);
    }

    @Test
    void utf8ValuesRoundTrip() throws TextFormatException {
        TextParameters pairs = TextParameters.of(List.of(new TextParameter("InitiatorAlias", "Zürich Ώ 服务器")));

        assertThat(TextParameters.decode(pairs.encode())).isEqualTo(pairs);
    }

    @Test
    void encodingAllowsRepeatedKeysForSendTargetsResponses() {
        TextParameters pairs = TextParameters.of(List.of(new TextParameter("TargetName", "iqn.a"),
                new TextParameter("TargetName", "iqn.b")));

        assertThat(new String(pairs.encode(), StandardCharsets.UTF_8)).isEqualTo("TargetName=iqn.a\0TargetName=iqn.b\0");
    }

    @Test
    void rejectsMissingFinalNul() {
        assertThatThrownBy(() -> TextParameters.decode("HeaderDigest=None".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("does not end with a NUL");
    }

    @Test
    void rejectsPairWithoutEquals() {
        assertThatThrownBy(() -> TextParameters.decode(text("HeaderDigest")))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("has no '='");
    }

    @Test
    void rejectsEmptyKey() {
        assertThatThrownBy(() -> TextParameters.decode(text("=None")))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("empty key name");
    }

    @Test
    void rejectsEmptyPair() {
        assertThatThrownBy(() -> TextParameters.decode("A=1\0\0".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("empty key=value pair");
    }

    @Test
    void rejectsInvalidKeyCharacters() {
        assertThatThrownBy(() -> TextParameters.decode(text("Header Digest=None")))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("invalid character");
        assertThatThrownBy(() -> TextParameters.decode(text("1Key=None")))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("does not start with a letter");
        assertThatThrownBy(() -> TextParameters.decode(text("Kéy=None")))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("invalid character");
    }

    @Test
    void acceptsExtensionAndProtocolLevelKeyNames() throws TextFormatException {
        TextParameters decoded = TextParameters.decode(text("X-com.example.do_it+more@x=1", "X#IANA-Key=2",
                "iSCSIProtocolLevel=1"));

        assertThat(decoded.pairs()).hasSize(3);
    }

    @Test
    void keyNameLimitIs63Bytes() throws TextFormatException {
        String longest = "K" + "e".repeat(62);
        assertThat(TextParameters.decode(text(longest + "=1")).get(longest)).hasValue("1");

        assertThatThrownBy(() -> TextParameters.decode(text(longest + "e=1")))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("more than 63");
    }

    @Test
    void valueLimitIs255BytesForOrdinaryKeys() throws TextFormatException {
        assertThat(TextParameters.decode(text("InitiatorAlias=" + "a".repeat(255))).pairs()).hasSize(1);

        assertThatThrownBy(() -> TextParameters.decode(text("InitiatorAlias=" + "a".repeat(256))))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("more than 255");
    }

    @Test
    void valueLimitIs255BytesNotCharacters() {
        assertThatThrownBy(() -> TextParameters.decode(text("InitiatorAlias=" + "ü".repeat(128))))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("256 bytes");
    }

    @Test
    void authenticationKeysMayCarry8192ByteValues() throws TextFormatException {
        String challenge = "0x" + "ab".repeat(4095);
        assertThat(TextParameters.decode(text("CHAP_C=" + challenge)).get("CHAP_C")).hasValue(challenge);
        assertThat(TextParameters.maxValueLength("SRP_A")).isEqualTo(8192);

        assertThatThrownBy(() -> TextParameters.decode(text("CHAP_R=" + challenge + "00")))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("more than 8192");
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] bad = {'A', '=', (byte) 0xC3, (byte) 0x28, 0};

        assertThatThrownBy(() -> TextParameters.decode(bad))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void rejectsRepeatedKey() {
        assertThatThrownBy(() -> TextParameters.decode(text("MaxBurstLength=512", "MaxBurstLength=1024")))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("appears more than once");
    }

    @Test
    void ofRejectsWhatCannotBeEncoded() {
        assertThatIllegalArgumentException().isThrownBy(() -> TextParameters.of(List.of(new TextParameter("A=B", "1"))));
        assertThatIllegalArgumentException().isThrownBy(() -> TextParameters.of(List.of(new TextParameter("A", "1\0"))));
    }
}
