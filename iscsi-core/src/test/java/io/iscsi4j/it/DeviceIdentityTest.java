package io.iscsi4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity a LUN presents (VPD 80h unit serial number, VPD 83h NAA designator), read through the wire: stable
 * across restarts of the same storage, different for different storage even under the same target name and LUN
 * (two deployments of the demo, say), and the application's when it sets one.
 */
@Timeout(60)
class DeviceIdentityTest {

    /** What VPD 80h and the NAA designator of VPD 83h say. */
    record Identity(String serial, String naa) {
    }

    private static IscsiTarget start(Backstore backstore, Consumer<io.iscsi4j.LunBuilder> options)
            throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, backstore, options))
                .eventLoopThreads(1)
                .ioThreads(1)
                .build()
                .start();
    }

    /** Reads VPD 80h and 83h of LUN 0 through a session. */
    private static Identity identity(IscsiTarget target) throws IOException {
        try (TestInitiator ini = Targets.login(target, Map.of())) {
            ScsiResult p80 = ini.execute(0, new byte[] {0x12, 1, (byte) 0x80, 0, (byte) 255, 0}, 255, null);
            assertThat(p80.good()).as("VPD 80h %s", p80).isTrue();
            byte[] d = p80.data();
            assertThat(d[1] & 0xFF).isEqualTo(0x80);
            String serial = new String(d, 4, ((d[2] & 0xFF) << 8) | (d[3] & 0xFF), StandardCharsets.US_ASCII).strip();

            ScsiResult p83 = ini.execute(0, new byte[] {0x12, 1, (byte) 0x83, 0, (byte) 255, 0}, 255, null);
            assertThat(p83.good()).as("VPD 83h %s", p83).isTrue();
            byte[] e = p83.data();
            int end = 4 + (((e[2] & 0xFF) << 8) | (e[3] & 0xFF));
            String naa = null;
            for (int p = 4; p + 4 <= end; p += 4 + (e[p + 3] & 0xFF)) {
                int association = (e[p + 1] >> 4) & 3;
                int type = e[p + 1] & 0x0F;
                if (association == 0 && type == 3) {
                    naa = HexFormat.of().formatHex(Arrays.copyOfRange(e, p + 4, p + 4 + (e[p + 3] & 0xFF)));
                }
            }
            assertThat(naa).as("an NAA designator of the logical unit").isNotNull().startsWith("6").hasSize(32);
            return new Identity(serial, naa);
        }
    }

    @Test
    void twoMemoryLunsUnderTheSameTargetNameAndLunHaveDifferentIdentities() throws Exception {
        Identity a;
        Identity b;
        try (IscsiTarget one = start(Backstores.memory(1 << 20), o -> { });
             IscsiTarget two = start(Backstores.memory(1 << 20), o -> { })) {
            a = identity(one);
            b = identity(two);
            assertThat(identity(one)).as("stable while it runs").isEqualTo(a);
        }
        assertThat(a.serial()).matches("[0-9a-f]{32}");
        assertThat(b.serial()).matches("[0-9a-f]{32}").isNotEqualTo(a.serial());
        assertThat(b.naa()).isNotEqualTo(a.naa());
    }

    @Test
    void aFileLunKeepsItsIdentityAcrossARestartAndTwoFilesDiffer(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("lun0.img");
        Identity before;
        try (IscsiTarget target = start(Backstores.file(image, 1 << 20, 512), o -> { })) {
            before = identity(target);
        }
        try (IscsiTarget target = start(Backstores.file(image, 0, 512), o -> { })) {
            assertThat(identity(target)).as("after the restart").isEqualTo(before);
        }
        assertThat(before.serial()).matches("[0-9a-f]{32}");

        try (IscsiTarget target = start(Backstores.file(dir.resolve("other.img"), 1 << 20, 512), o -> { })) {
            Identity other = identity(target);
            assertThat(other.serial()).isNotEqualTo(before.serial());
            assertThat(other.naa()).isNotEqualTo(before.naa());
        }
    }

    @Test
    void theApplicationsSerialWinsAndGivesTheSameNaaWherever() throws Exception {
        Identity a;
        Identity b;
        try (IscsiTarget one = start(Backstores.memory(1 << 20), o -> o.serial("host-set-7"));
             IscsiTarget two = start(Backstores.memory(1 << 20), o -> o.serial("host-set-7"))) {
            a = identity(one);
            b = identity(two);
        }
        assertThat(a.serial()).isEqualTo("host-set-7");
        assertThat(b).as("the same serial, the same NAA designator").isEqualTo(a);
    }

    @Test
    void aBackstoreWithoutAnIdentityGetsARandomSerialEachTime() throws Exception {
        Identity a;
        Identity b;
        try (IscsiTarget one = start(noIdentity(), o -> { }); IscsiTarget two = start(noIdentity(), o -> { })) {
            a = identity(one);
            b = identity(two);
        }
        assertThat(a.serial()).matches("[0-9a-f]{32}");
        assertThat(b.serial()).matches("[0-9a-f]{32}").isNotEqualTo(a.serial());
        assertThat(b.naa()).isNotEqualTo(a.naa());
    }

    /** A host's own storage that has no identity to offer. */
    private static Backstore noIdentity() {
        return new ForwardingBackstore(Backstores.memory(1 << 20)) {
            @Override
            public String unitSerialNumber() {
                return null;
            }
        };
    }
}
