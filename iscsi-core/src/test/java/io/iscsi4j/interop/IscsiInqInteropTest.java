package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/** libiscsi's {@code iscsi-inq}: standard INQUIRY and the VPD pages a Linux or QEMU initiator reads. */
@Timeout(120)
@Tag("interop")
class IscsiInqInteropTest {

    private static final String SERIAL = "ISCSI4J-INTEROP-42";

    @Test
    @DisplayName("iscsi-inq: standard INQUIRY reports vendor ISCSI4J and a connected direct-access device")
    void standardInquiry() throws Exception {
        try (IscsiTarget target = start()) {
            Result r = inquiry(target);

            assertThat(r.stdout()).as(r.describe())
                    .contains("Peripheral Qualifier:CONNECTED")
                    .contains("Peripheral Device Type:DIRECT_ACCESS")
                    .contains("Vendor:ISCSI4J")
                    .contains("Product:")
                    .contains("Revision:");
        }
    }

    @Test
    @DisplayName("iscsi-inq -e 1 -c 0: VPD 00h lists pages 00h, 80h, 83h, B0h, B1h and B2h")
    void supportedVpdPages() throws Exception {
        try (IscsiTarget target = start()) {
            Result r = inquiry(target, "-e", "1", "-c", "0");

            assertThat(r.stdout()).as(r.describe())
                    .contains("Page:0x00 SUPPORTED_VPD_PAGES")
                    .contains("Page:0x80 UNIT_SERIAL_NUMBER")
                    .contains("Page:0x83 DEVICE_IDENTIFICATION")
                    .contains("Page:0xb0 BLOCK_LIMITS")
                    .contains("Page:0xb1 BLOCK_DEVICE_CHARACTERISTICS")
                    .contains("Page:0xb2 LOGICAL_BLOCK_PROVISIONING");
        }
    }

    @Test
    @DisplayName("iscsi-inq -e 1 -c 128: VPD 80h carries the configured unit serial number")
    void unitSerialNumber() throws Exception {
        try (IscsiTarget target = start()) {
            Result r = inquiry(target, "-e", "1", "-c", "128");

            assertThat(r.stdout()).as(r.describe())
                    .containsPattern("Unit Serial Number:\\[\\s*" + SERIAL + "\\s*\\]");
        }
    }

    @Test
    @DisplayName("iscsi-inq -e 1 -c 131: VPD 83h identifies the logical unit with an NAA designator")
    void deviceIdentification() throws Exception {
        try (IscsiTarget target = start()) {
            Result r = inquiry(target, "-e", "1", "-c", "131");

            assertThat(r.stdout()).as(r.describe())
                    .contains("Page Code:(0x83) DEVICE_IDENTIFICATION")
                    .contains("Association:(0) LOGICAL_UNIT")
                    .contains("Designator Type:(3) NAA");
        }
    }

    @Test
    @DisplayName("iscsi-inq: a file LUN's default serial and VPD 83h are the same after a restart")
    void defaultIdentityOfAFileIsStableAcrossRestarts(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("lun0.img");
        String[] first;
        try (IscsiTarget target = InteropTargets.startOneLun(Backstores.file(image, 16L << 20, 512))) {
            first = new String[] {
                inquiry(target, "-e", "1", "-c", "128").stdout(),
                inquiry(target, "-e", "1", "-c", "131").stdout()};
        }
        try (IscsiTarget target = InteropTargets.startOneLun(Backstores.file(image, 0, 512))) {
            assertThat(inquiry(target, "-e", "1", "-c", "128").stdout()).isEqualTo(first[0]).contains("Unit Serial Number:");
            assertThat(inquiry(target, "-e", "1", "-c", "131").stdout()).isEqualTo(first[1]).contains("NAA");
        }
    }

    @Test
    @DisplayName("iscsi-inq: two memory LUNs under the same target name and LUN have different serials and VPD 83h")
    void defaultIdentityOfMemoryDiffersBetweenDeployments() throws Exception {
        String[] first;
        try (IscsiTarget target = InteropTargets.startOneLun(Backstores.memory(16L << 20))) {
            first = new String[] {
                inquiry(target, "-e", "1", "-c", "128").stdout(),
                inquiry(target, "-e", "1", "-c", "131").stdout()};
        }
        try (IscsiTarget target = InteropTargets.startOneLun(Backstores.memory(16L << 20))) {
            assertThat(inquiry(target, "-e", "1", "-c", "128").stdout()).isNotEqualTo(first[0])
                    .contains("Unit Serial Number:");
            assertThat(inquiry(target, "-e", "1", "-c", "131").stdout()).isNotEqualTo(first[1]).contains("NAA");
        }
    }

    @Test
    @DisplayName("iscsi-inq -e 1 -c 176: VPD B0h (block limits) decodes")
    void blockLimits() throws Exception {
        try (IscsiTarget target = start()) {
            Result r = inquiry(target, "-e", "1", "-c", "176");

            assertThat(r.stdout()).as(r.describe())
                    .contains("maximum compare and write length:")
                    .contains("optimal transfer length granularity:")
                    .contains("maximum transfer length:")
                    .contains("optimal transfer length:")
                    .contains("maximum unmap lba count:")
                    .contains("maximum write same length:");
        }
    }

    @Test
    @DisplayName("iscsi-inq -e 1 -c 177: VPD B1h reports a non-rotating medium for a memory LUN")
    void blockDeviceCharacteristics() throws Exception {
        try (IscsiTarget target = start()) {
            Result r = inquiry(target, "-e", "1", "-c", "177");

            assertThat(r.stdout()).as(r.describe()).contains("Medium Rotation Rate:1RPM");
        }
    }

    @Test
    @DisplayName("iscsi-inq -e 1 -c 178: VPD B2h (logical block provisioning) decodes")
    void logicalBlockProvisioning() throws Exception {
        try (IscsiTarget target = start()) {
            Result r = inquiry(target, "-e", "1", "-c", "178");

            assertThat(r.stdout()).as(r.describe())
                    .contains("Threshold Exponent:")
                    .contains("lbpu:")
                    .contains("provisioning type:");
        }
    }

    private static IscsiTarget start() throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t.lun(0, Backstores.memory(16L << 20), o -> o.serial(SERIAL)))
                .build()
                .start();
    }

    private static Result inquiry(IscsiTarget target, String... options) {
        String[] command = new String[options.length + 2];
        command[0] = "iscsi-inq";
        System.arraycopy(options, 0, command, 1, options.length);
        command[command.length - 1] = InteropTargets.lunUrl(target, IQN, 0);
        return InitiatorTools.run(command).assertSuccess();
    }
}
