package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SenseDataTest {

    private static final SenseData WRITE_ERROR =
            SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.WRITE_ERROR).withInformation(7);

    @Test
    void currentErrorsUseResponseCodes70hAnd72h() {
        assertThat(WRITE_ERROR.deferred()).isFalse();
        assertThat(WRITE_ERROR.toBytes()[0]).as("VALID, 70h").isEqualTo((byte) 0xF0);
        assertThat(WRITE_ERROR.withDescriptorFormat(true).toBytes()[0]).isEqualTo((byte) 0x72);
    }

    @Test
    void deferredErrorsUseResponseCodes71hAnd73h() {
        SenseData deferred = WRITE_ERROR.withDeferred(true);

        byte[] fixed = deferred.toBytes();
        byte[] descriptor = deferred.withDescriptorFormat(true).toBytes();

        assertThat(deferred.deferred()).isTrue();
        assertThat(fixed[0]).as("VALID, 71h").isEqualTo((byte) 0xF1);
        assertThat(fixed[2]).as("SENSE KEY").isEqualTo((byte) 0x03);
        assertThat(fixed[12]).as("ASC").isEqualTo((byte) 0x0C);
        assertThat(Cdbs.u32(fixed, 3)).as("INFORMATION").isEqualTo(7);
        assertThat(descriptor[0]).isEqualTo((byte) 0x73);
        assertThat(descriptor[1]).as("SENSE KEY").isEqualTo((byte) 0x03);
        assertThat(deferred.withSenseKeySpecific(1).withInformation(8).deferred()).as("kept by copies").isTrue();
        assertThat(deferred.withDeferred(false)).isEqualTo(WRITE_ERROR);
        assertThat(deferred).isNotEqualTo(WRITE_ERROR).hasToString("MEDIUM_ERROR / WRITE_ERROR info=7 (deferred)");
    }
}
