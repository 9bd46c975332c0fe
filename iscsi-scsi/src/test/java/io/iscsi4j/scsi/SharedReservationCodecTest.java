package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.backstore.SharedState;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The encodings gateways exchange: the persistent reservation record and the events. */
class SharedReservationCodecTest {

    private static final PersistentReservations.Registration OWN = new PersistentReservations.Registration(
            "iqn.2026-12.com.example:h1,i,0x00023d000001", "iqn.2026-12.com.example:t,t,0x0002", 2, false, 0xABCDL);
    private static final PersistentReservations.Registration ALL_PORTS = new PersistentReservations.Registration(
            "iqn.2026-12.com.example:h2,i,0x00023d000002", null, 0, true, -1L);

    @Test
    void theRecordKeepsEveryField() {
        PersistentReservations.Image image = new PersistentReservations.Image(List.of(OWN, ALL_PORTS),
                new PersistentReservations.Reservation(PersistentReservations.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY,
                        OWN.initiatorPort(), OWN.targetPort()),
                0x7FFF_FFF0, Map.of(2, OWN.targetPort(), 1, "iqn.2026-12.com.example:t,t,0x0001"), true,
                new PersistentReservations.Spc2Holder(ALL_PORTS.initiatorPort(), OWN.targetPort(), "10.0.0.2:0/77"), 0);
        PersistentReservations.Image back = PersistentReservations.Image.decode(
                new SharedState.Versioned(42, image.encode()));
        assertThat(back).isEqualTo(image.atVersion(42));
        assertThat(back.version()).isEqualTo(42);
    }

    @Test
    void anEmptyRecordIsTheEmptyState() {
        PersistentReservations.Image back = PersistentReservations.Image.decode(SharedState.Versioned.ABSENT);
        assertThat(back.registrations()).isEmpty();
        assertThat(back.reservation()).isNull();
        assertThat(back.generation()).isZero();
        assertThat(back.aptpl()).isFalse();
    }

    @Test
    void aRecordThatIsNotOneIsRefusedNotMisread() {
        byte[] good = PersistentReservations.Image.EMPTY.with(List.of(OWN), null).encode();
        assertThatThrownBy(() -> PersistentReservations.Image.decode(new SharedState.Versioned(1, new byte[] {1, 2})))
                .isInstanceOf(IllegalArgumentException.class);
        for (int cut = 1; cut < good.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> PersistentReservations.Image.decode(new SharedState.Versioned(1, truncated)))
                    .as("cut at %d", cut).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void eventsKeepNoticesRemovedRegistrationsAndTheAction() {
        Peers.Event event = Peers.Event.reservations(
                List.of(new PersistentReservations.Notice(OWN.initiatorPort(), AdditionalSense.REGISTRATIONS_PREEMPTED)),
                List.of(OWN, ALL_PORTS), Peers.TaskAction.ABORT);
        Peers.Event back = Peers.Event.decode(event.encode());
        assertThat(back.kind()).isEqualTo(Peers.Kind.RESERVATIONS);
        assertThat(back.action()).isEqualTo(Peers.TaskAction.ABORT);
        assertThat(back.notices()).isEqualTo(event.notices());
        ItNexus ownNexus = new ItNexus(OWN.initiatorPort(), OWN.targetPort(), 2, 2);
        ItNexus ownThroughAnotherPort = new ItNexus(OWN.initiatorPort(), "iqn.2026-12.com.example:t,t,0x0001", 1, 1);
        ItNexus allPortsNexus = new ItNexus(ALL_PORTS.initiatorPort(), "iqn.2026-12.com.example:t,t,0x0003", 3, 3);
        assertThat(back.removed(ownNexus)).isTrue();
        assertThat(back.removed(ownThroughAnotherPort)).as("a registration covers its own target port only")
                .isFalse();
        assertThat(back.removed(allPortsNexus)).as("ALL_TG_PT covers every target port").isTrue();
        assertThat(Peers.Event.decode(Peers.Event.LOGICAL_UNIT_RESET.encode()).kind())
                .isEqualTo(Peers.Kind.LOGICAL_UNIT_RESET);
    }

    @Test
    void aPreemptThatRemovesNothingAsksNothingOfTheOtherGateways() {
        Peers.Event event = Peers.Event.reservations(List.of(), List.of(), Peers.TaskAction.ABORT);
        assertThat(event.action()).isEqualTo(Peers.TaskAction.NONE);
    }

    @Test
    void garbageIsRefused() {
        Random random = new Random(7);
        byte[] valid = Peers.Event.LOGICAL_UNIT_RESET.encode();
        for (int i = 0; i < 200; i++) {
            byte[] b = valid.clone();
            b[4 + random.nextInt(b.length - 4)] = (byte) random.nextInt(256);
            try {
                Peers.Event.decode(b); // a mutated field may still decode to a valid event
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
        assertThatThrownBy(() -> Peers.Event.decode(new byte[] {0x45, 0x56, 0, 1, 9, 0, 0, 0, 0, 0}))
                .as("an unknown kind").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Peers.Event.decode(new byte[3])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thePortGroupsRecordKeepsEveryGroupsState() {
        Map<Integer, AccessState> all = new java.util.TreeMap<>(Map.of(1, AccessState.ACTIVE_OPTIMIZED,
                2, AccessState.STANDBY, 65535, AccessState.TRANSITIONING));
        assertThat(Peers.decodePortGroups(Peers.encodePortGroups(all))).isEqualTo(all);
        assertThat(Peers.decodePortGroups(new byte[0])).isEmpty();
        byte[] good = Peers.encodePortGroups(all);
        for (int cut = 1; cut < good.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> Peers.decodePortGroups(truncated)).as("cut at %d", cut)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        byte[] badState = good.clone();
        badState[8] = 0x7; // not an access state
        assertThatThrownBy(() -> Peers.decodePortGroups(badState)).isInstanceOf(IllegalArgumentException.class);
    }
}
