package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.backstore.OutOfSpaceException;
import io.iscsi4j.scsi.LunFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-LUN attributes set through {@link io.iscsi4j.LunBuilder}, seen by an initiator: INQUIRY's identity strings,
 * the rotation rate and transfer limits of the VPD pages, a command turned off, and a full backstore answered with
 * DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT.
 */
@Timeout(60)
class LunAttributesIscsiTest {

    /** A backstore whose writes find no space left. */
    private static Backstore full(Backstore inner) {
        return new ForwardingBackstore(inner) {
            @Override
            public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
                return CompletableFuture.failedFuture(new OutOfSpaceException("pool full at LBA " + lba));
            }
        };
    }

    @Test
    void attributesReachTheInitiator() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t
                        .lun(0, Backstores.memory(Targets.LUN_SIZE), o -> o
                                .vendor("ACME").product("ARCHIVE").revision("7")
                                .rotationRate(7200).maxTransferBytes(256 * 1024).optimalTransferBytes(64 * 1024)
                                .disable(LunFeature.COMPARE_AND_WRITE))
                        .lun(1, full(Backstores.memory(1 << 20))))
                .build().start();
             TestInitiator i = Targets.login(target, Map.of())) {
            byte[] inquiry = i.execute(0, new byte[] {0x12, 0, 0, 0, 96, 0}, 96, null).data();
            assertThat(new String(inquiry, 8, 28, StandardCharsets.US_ASCII))
                    .isEqualTo("ACME    ARCHIVE         7   ");
            byte[] b1 = i.execute(0, new byte[] {0x12, 1, (byte) 0xB1, 0, (byte) 0xFF, 0}, 255, null).data();
            assertThat((b1[4] & 0xFF) << 8 | b1[5] & 0xFF).as("MEDIUM ROTATION RATE").isEqualTo(7200);
            byte[] b0 = i.execute(0, new byte[] {0x12, 1, (byte) 0xB0, 0, (byte) 0xFF, 0}, 255, null).data();
            assertThat(ByteBuffer.wrap(b0).getInt(8)).as("MAXIMUM TRANSFER LENGTH").isEqualTo(512);
            assertThat(ByteBuffer.wrap(b0).getInt(12)).as("OPTIMAL TRANSFER LENGTH").isEqualTo(128);
            assertThat(b0[5]).as("no COMPARE AND WRITE").isZero();

            byte[] caw = new byte[16];
            caw[0] = (byte) 0x89;
            caw[13] = 1;
            ScsiResult r = i.execute(0, caw, 0, new byte[1024]);
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.senseKey()).as("ILLEGAL REQUEST").isEqualTo(5);
            assertThat(r.asc()).as("INVALID COMMAND OPERATION CODE").isEqualTo(0x20);
            assertThat(i.read16(0, 512).good()).as("256 KiB: at the limit").isTrue();
            assertThat(i.read16(0, 513).good()).as("over the limit").isFalse();

            byte[] write = new byte[16];
            write[0] = (byte) 0x8A;
            write[13] = 1;
            ScsiResult w = i.execute(1, write, 0, Targets.pattern(512, 1));
            assertThat(w.status()).isEqualTo(2);
            assertThat(w.senseKey()).as("DATA PROTECT").isEqualTo(7);
            assertThat(w.asc()).isEqualTo(0x27);
            assertThat(w.ascq()).as("SPACE ALLOCATION FAILED WRITE PROTECT").isEqualTo(0x07);
        }
    }

    @Test
    void aMemoryLunPastItsSoftThresholdTellsTheInitiator() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(4 << 20), o -> o.softThreshold(50)))
                .build().start();
             TestInitiator i = Targets.login(target, Map.of())) {
            assertThat(i.write16(0, Targets.pattern(1 << 20, 1)).good()).as("1 of 4 MiB").isTrue();
            Thread.sleep(1100);
            assertThat(i.testUnitReady().status()).as("25 %: below the threshold").isZero();
            assertThat(i.write16(2048, Targets.pattern(1 << 20, 2)).good()).as("2 of 4 MiB").isTrue();
            Thread.sleep(1100);
            ScsiResult r = i.testUnitReady();
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.senseKey()).as("UNIT ATTENTION").isEqualTo(6);
            assertThat(r.asc()).isEqualTo(0x38);
            assertThat(r.ascq()).as("THIN PROVISIONING SOFT THRESHOLD REACHED").isEqualTo(0x07);
            assertThat(i.testUnitReady().status()).as("reported once").isZero();
        }
    }
}
