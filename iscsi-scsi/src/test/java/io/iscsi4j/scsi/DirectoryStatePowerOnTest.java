package io.iscsi4j.scsi;

import static io.iscsi4j.scsi.PersistentReservations.WRITE_EXCLUSIVE;
import static io.iscsi4j.scsi.ReservationCommands.SA_READ_KEYS;
import static io.iscsi4j.scsi.ReservationCommands.SA_READ_RESERVATION;
import static io.iscsi4j.scsi.ReservationCommands.SA_REGISTER;
import static io.iscsi4j.scsi.ReservationCommands.SA_REPORT_CAPABILITIES;
import static io.iscsi4j.scsi.ReservationCommands.SA_RESERVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.DirectorySharedState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A logical unit over a {@link DirectorySharedState}: the state outlives the logical unit object, and building a new
 * one on it is a power on: registrations and the reservation come back when APTPL was set, not otherwise;
 * PRGENERATION starts at zero again.
 */
class DirectoryStatePowerOnTest {

    private static final ItNexus A = PersistentReservationTest.A;
    private static final ItNexus B = PersistentReservationTest.B;
    private static final ItNexus OBSERVER = PersistentReservationTest.OBSERVER;
    private static final int APTPL = 0x01;

    @TempDir
    Path dir;

    /** One "run" of the target: a logical unit over the state in {@link #dir}. */
    private final class Run implements AutoCloseable {
        final LogicalUnit unit;
        final ScsiDispatcher dispatcher;

        Run() throws IOException {
            unit = LogicalUnit.builder(new TestBackstore(512, 64)).serial("S").executor(Runnable::run)
                    .sharedState(DirectorySharedState.open(dir)).build();
            dispatcher = new ScsiDispatcher(Map.of(0, unit));
        }

        String run(TestTask t) throws Exception {
            dispatcher.execute(t);
            return Target.checked(t.await()).outcome();
        }

        String prout(ItNexus n, int sa, int type, long key, long saKey, int flags) throws Exception {
            return run(TestTask.of(Cdbs.persistentReserveOut(sa, type, 24)).nexus(n)
                    .dataOut(Cdbs.proutParameters(key, saKey, flags)));
        }

        byte[] prin(int sa) throws Exception {
            TestTask t = TestTask.of(Cdbs.persistentReserveIn(sa, 8192)).nexus(OBSERVER);
            assertThat(run(t)).isEqualTo("GOOD");
            return t.dataIn();
        }

        List<Long> keys() throws Exception {
            byte[] d = prin(SA_READ_KEYS);
            List<Long> keys = new ArrayList<>();
            for (int p = 8; p < 8 + Cdbs.u32(d, 4); p += 8) {
                keys.add(Cdbs.u64(d, p));
            }
            return keys;
        }

        long generation() throws Exception {
            return Cdbs.u32(prin(SA_READ_KEYS), 0);
        }

        /** READ RESERVATION: {@code key/type}, or "none". */
        String reservation() throws Exception {
            byte[] d = prin(SA_READ_RESERVATION);
            return Cdbs.u32(d, 4) == 0 ? "none" : Long.toHexString(Cdbs.u64(d, 8)) + "/" + (d[8 + 13] & 0x0F);
        }

        String write(ItNexus n) throws Exception {
            return run(TestTask.of(Cdbs.write10(1, 1)).nexus(n).dataOut(new byte[512]));
        }

        @Override
        public void close() throws IOException {
            unit.close();
        }
    }

    @Test
    void withAptplTheRegistrationsAndTheReservationSurviveARestart() throws Exception {
        try (Run first = new Run()) {
            byte[] caps = first.prin(SA_REPORT_CAPABILITIES);
            assertThat(caps[2] & 0x01).as("PTPL_C").isEqualTo(1);
            assertThat(first.prout(A, SA_REGISTER, 0, 0, 0xA1, APTPL)).isEqualTo("GOOD");
            assertThat(first.prout(B, SA_REGISTER, 0, 0, 0xB2, APTPL)).isEqualTo("GOOD");
            assertThat(first.prout(A, SA_RESERVE, WRITE_EXCLUSIVE, 0xA1, 0, 0)).isEqualTo("GOOD");
            assertThat(first.generation()).isEqualTo(2);
            assertThat(first.prin(SA_REPORT_CAPABILITIES)[3] & 0x01).as("PTPL_A").isEqualTo(1);
        }
        try (Run second = new Run()) {
            assertThat(second.keys()).containsExactly(0xA1L, 0xB2L);
            assertThat(second.reservation()).isEqualTo("a1/" + WRITE_EXCLUSIVE);
            assertThat(second.generation()).as("a power on sets PRGENERATION to zero").isZero();
            assertThat(second.prin(SA_REPORT_CAPABILITIES)[3] & 0x01).as("PTPL_A").isEqualTo(1);
            assertThat(second.write(B)).as("the reservation is enforced").isEqualTo("RESERVATION_CONFLICT");
            assertThat(second.write(A)).isEqualTo("GOOD");
        }
    }

    @Test
    void withoutAptplNothingSurvivesARestart() throws Exception {
        try (Run first = new Run()) {
            assertThat(first.prout(A, SA_REGISTER, 0, 0, 0xA1, 0)).isEqualTo("GOOD");
            assertThat(first.prout(A, SA_RESERVE, WRITE_EXCLUSIVE, 0xA1, 0, 0)).isEqualTo("GOOD");
            assertThat(first.write(B)).isEqualTo("RESERVATION_CONFLICT");
        }
        try (Run second = new Run()) {
            assertThat(second.keys()).isEmpty();
            assertThat(second.reservation()).isEqualTo("none");
            assertThat(second.write(B)).isEqualTo("GOOD");
        }
    }

    @Test
    void theLastRegisterDecides() throws Exception {
        try (Run first = new Run()) {
            assertThat(first.prout(A, SA_REGISTER, 0, 0, 0xA1, APTPL)).isEqualTo("GOOD");
            assertThat(first.prout(B, SA_REGISTER, 0, 0, 0xB2, 0)).as("APTPL 0 now").isEqualTo("GOOD");
        }
        try (Run second = new Run()) {
            assertThat(second.keys()).isEmpty();
            assertThat(second.prout(A, SA_REGISTER, 0, 0, 0xA1, 0)).isEqualTo("GOOD");
            assertThat(second.prout(A, SA_REGISTER, 0, 0xA1, 0xA2, APTPL)).isEqualTo("GOOD");
        }
        try (Run third = new Run()) {
            assertThat(third.keys()).containsExactly(0xA2L);
        }
    }
}
