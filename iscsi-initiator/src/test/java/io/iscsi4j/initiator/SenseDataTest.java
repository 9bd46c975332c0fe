package io.iscsi4j.initiator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SenseDataTest {

    @Test
    void decodesFixedFormat() {
        byte[] fixed = new byte[18];
        fixed[0] = 0x70;
        fixed[2] = 0x05;
        fixed[12] = 0x24;
        fixed[13] = 0x01;
        SenseData sense = SenseData.decode(fixed);
        assertThat(sense.senseKey()).isEqualTo(SenseData.ILLEGAL_REQUEST);
        assertThat(sense.asc()).isEqualTo(0x24);
        assertThat(sense.ascq()).isEqualTo(0x01);
        assertThat(sense.toString()).isEqualTo("ILLEGAL REQUEST (ASC 0x24, ASCQ 0x01)");
    }

    @Test
    void decodesDescriptorFormat() {
        SenseData sense = SenseData.decode(new byte[] {0x72, 0x03, 0x11, 0x00, 0, 0, 0, 0});
        assertThat(sense.senseKeyName()).isEqualTo("MEDIUM ERROR");
        assertThat(sense.asc()).isEqualTo(0x11);
    }

    @Test
    void unknownFormatsDecodeToNull() {
        assertThat(SenseData.decode(new byte[0])).isNull();
        assertThat(SenseData.decode(new byte[] {0x10, 0, 0, 0})).isNull();
    }
}
