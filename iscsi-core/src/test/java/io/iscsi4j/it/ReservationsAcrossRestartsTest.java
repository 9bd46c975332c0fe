package io.iscsi4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistent reservations kept in a state directory ({@code IscsiTarget.Builder.stateDirectory}) across a restart of
 * the target, through the wire: what READ KEYS and READ RESERVATION answer after the restart, whether the reservation
 * is enforced (a write of an initiator that does not hold it ends in RESERVATION CONFLICT and its bytes never reach
 * the file), and that registrations made without APTPL do not survive (SPC-5: a power on drops them).
 */
@Timeout(60)
class ReservationsAcrossRestartsTest {

    private static final String HOST_A = "iqn.2026-11.io.iscsi4j:host-a";
    private static final String HOST_B = "iqn.2026-11.io.iscsi4j:host-b";
    private static final String HOST_C = "iqn.2026-11.io.iscsi4j:host-c";
    private static final int REGISTER = 0x00;
    private static final int RESERVE = 0x01;
    private static final int WRITE_EXCLUSIVE = 1;
    private static final int APTPL = 0x01;
    private static final int RESERVATION_CONFLICT = 0x18;
    private static final long KEY_A = 0xA11CEL;
    private static final long KEY_B = 0xB0BL;

    @TempDir
    Path dir;

    private Path image() {
        return dir.resolve("lun0.img");
    }

    private Path states() {
        return dir.resolve("state");
    }

    private IscsiTarget start(Backstore backstore) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, backstore))
                .stateDirectory(states())
                .eventLoopThreads(1)
                .ioThreads(1)
                .build()
                .start();
    }

    private static TestInitiator login(IscsiTarget target, String name, TestInitiator sameIsidAs)
            throws IOException {
        TestInitiator ini = TestInitiator.connect(target.localAddress());
        if (sameIsidAs != null) {
            ini.useIsidOf(sameIsidAs); // the same initiator port as before the restart
        }
        ini.login(name, Targets.IQN, Map.of());
        return ini;
    }

    /** PERSISTENT RESERVE OUT (10) with the basic parameter list and its byte 20 flags (APTPL 01h). */
    private static ScsiResult prout(TestInitiator ini, int serviceAction, int type, long key, long saKey, int flags)
            throws IOException {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5F;
        cdb[1] = (byte) serviceAction;
        cdb[2] = (byte) type;
        cdb[8] = 24;
        byte[] list = ByteBuffer.allocate(24).putLong(key).putLong(saKey).array();
        list[20] = (byte) flags;
        return ini.execute(0, cdb, 0, list);
    }

    /** PERSISTENT RESERVE IN with service action {@code sa}; asserts GOOD. */
    private static ByteBuffer prin(TestInitiator ini, int sa) throws IOException {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5E;
        cdb[1] = (byte) sa;
        cdb[8] = (byte) 255;
        ScsiResult r = ini.execute(0, cdb, 255, null);
        assertThat(r.good()).as("PERSISTENT RESERVE IN %s", r).isTrue();
        return ByteBuffer.wrap(r.data());
    }

    /** READ KEYS, as PRGENERATION followed by the keys. */
    private static long[] readKeys(TestInitiator ini) throws IOException {
        ByteBuffer d = prin(ini, 0);
        long[] out = new long[1 + d.getInt(4) / 8];
        out[0] = d.getInt(0) & 0xFFFF_FFFFL;
        for (int i = 1; i < out.length; i++) {
            out[i] = d.getLong(8 + 8 * (i - 1));
        }
        return out;
    }

    /** READ RESERVATION: "none", or the holder's key and the type. */
    private static String readReservation(TestInitiator ini) throws IOException {
        ByteBuffer d = prin(ini, 1);
        return d.getInt(4) == 0 ? "none" : Long.toHexString(d.getLong(8)) + " type " + (d.get(21) & 0x0F);
    }

    private static byte[] block(int value) {
        byte[] b = new byte[512];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private byte[] onDisk(long lba) throws IOException {
        byte[] all = Files.readAllBytes(image());
        return Arrays.copyOfRange(all, (int) (lba * 512), (int) (lba * 512 + 512));
    }

    @Test
    void aReservationMadeWithAptplIsReportedAndEnforcedAfterARestart() throws Exception {
        TestInitiator a0;
        TestInitiator b0;
        try (IscsiTarget target = start(Backstores.file(image(), 1 << 20, 512))) {
            a0 = login(target, HOST_A, null);
            b0 = login(target, HOST_B, null);
            assertThat(prin(a0, 2).get(2) & 0x01).as("REPORT CAPABILITIES: PTPL_C").isEqualTo(1);
            assertThat(prout(a0, REGISTER, 0, 0, KEY_A, APTPL).good()).isTrue();
            assertThat(prout(b0, REGISTER, 0, 0, KEY_B, APTPL).good()).isTrue();
            assertThat(prout(a0, RESERVE, WRITE_EXCLUSIVE, KEY_A, 0, 0).good()).isTrue();
            assertThat(a0.write16(3, block(0xA1)).good()).isTrue();
            assertThat(readKeys(b0)).containsExactly(2, KEY_A, KEY_B);
            assertThat(readReservation(b0)).isEqualTo("a11ce type 1");
            a0.close();
            b0.close();
        }
        assertThat(states().resolve("iqn.2026-11.io.iscsi4j%3Atest").resolve("0").resolve("r-persistent-reservations"))
                .as("the state file of the LUN").exists();

        try (IscsiTarget target = start(Backstores.file(image(), 0, 512));
             TestInitiator a = login(target, HOST_A, a0);
             TestInitiator b = login(target, HOST_B, b0);
             TestInitiator c = login(target, HOST_C, null)) {
            assertThat(readKeys(c)).as("PRGENERATION 0 after a power on, then the keys")
                    .containsExactly(0, KEY_A, KEY_B);
            assertThat(readReservation(c)).isEqualTo("a11ce type 1");
            assertThat(prin(c, 2).get(3) & 0x01).as("PTPL_A").isEqualTo(1);

            ScsiResult unregistered = c.write16(3, block(0xCC));
            assertThat(unregistered.status()).as("%s", unregistered).isEqualTo(RESERVATION_CONFLICT);
            ScsiResult registeredNotHolder = b.write16(3, block(0xBB));
            assertThat(registeredNotHolder.status()).as("%s", registeredNotHolder).isEqualTo(RESERVATION_CONFLICT);
            assertThat(c.read16(3, 1).data()).as("reads pass a Write Exclusive reservation").isEqualTo(block(0xA1));
            assertThat(a.write16(4, block(0xA2)).good()).as("the holder writes").isTrue();
            assertThat(prout(b, REGISTER, 0, KEY_B, KEY_B + 1, APTPL).good()).as("B's key is known").isTrue();
        }
        assertThat(onDisk(3)).as("neither refused write reached the file").isEqualTo(block(0xA1));
        assertThat(onDisk(4)).isEqualTo(block(0xA2));
    }

    @Test
    void registrationsWithoutAptplAreGoneAfterARestart() throws Exception {
        try (IscsiTarget target = start(Backstores.file(image(), 1 << 20, 512));
             TestInitiator a = login(target, HOST_A, null);
             TestInitiator c = login(target, HOST_C, null)) {
            assertThat(prout(a, REGISTER, 0, 0, KEY_A, 0).good()).isTrue();
            assertThat(prout(a, RESERVE, WRITE_EXCLUSIVE, KEY_A, 0, 0).good()).isTrue();
            assertThat(c.write16(3, block(0xCC)).status()).isEqualTo(RESERVATION_CONFLICT);
        }
        try (IscsiTarget target = start(Backstores.file(image(), 0, 512));
             TestInitiator c = login(target, HOST_C, null)) {
            assertThat(readKeys(c)).containsExactly(0);
            assertThat(readReservation(c)).isEqualTo("none");
            assertThat(c.write16(3, block(0xCC)).good()).isTrue();
        }
        assertThat(onDisk(3)).isEqualTo(block(0xCC));
    }

    @Test
    void aMemoryLunKeepsItsReservationsToo() throws Exception {
        TestInitiator a0;
        try (IscsiTarget target = start(Backstores.memory(1 << 20))) {
            a0 = login(target, HOST_A, null);
            assertThat(prout(a0, REGISTER, 0, 0, KEY_A, APTPL).good()).isTrue();
            assertThat(prout(a0, RESERVE, WRITE_EXCLUSIVE, KEY_A, 0, 0).good()).isTrue();
            a0.close();
        }
        try (IscsiTarget target = start(Backstores.memory(1 << 20));
             TestInitiator c = login(target, HOST_C, null)) {
            assertThat(readKeys(c)).containsExactly(0, KEY_A);
            assertThat(c.write16(0, block(1)).status()).isEqualTo(RESERVATION_CONFLICT);
        }
    }

    @Test
    void aSecondTargetOnTheSameStateDirectoryFailsToStartNamingIt() throws Exception {
        try (IscsiTarget first = start(Backstores.memory(1 << 20))) {
            Backstore second = Backstores.memory(1 << 20);
            IscsiTarget other = IscsiTarget.builder()
                    .portal("127.0.0.1", 0)
                    .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20)).lun(1, second))
                    .stateDirectory(states())
                    .build();
            assertThatThrownBy(other::start).isInstanceOf(IOException.class)
                    .hasMessageContaining("LUN 0").hasMessageContaining(states().toString()).hasMessageContaining("in use");
            assertThat(second.read(0, ByteBuffer.allocate(512)).toCompletableFuture())
                    .as("the failed target closed the backstores it owned").isCompletedExceptionally();
            other.close();
            try (TestInitiator a = login(first, HOST_A, null)) {
                assertThat(prout(a, REGISTER, 0, 0, KEY_A, APTPL).good()).as("the first one still serves").isTrue();
            }
        }
        // Released on close: a third target opens it and finds the registration.
        try (IscsiTarget third = start(Backstores.memory(1 << 20));
             TestInitiator c = login(third, HOST_C, null)) {
            assertThat(readKeys(c)).containsExactly(0, KEY_A);
        }
    }
}
