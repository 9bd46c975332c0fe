package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetPortGroupsTest {

    @Test
    void startsActiveOptimizedWithoutPeers() {
        TargetPortGroups g = new TargetPortGroups(9);

        assertThat(g.id()).isEqualTo(9);
        assertThat(g.state()).isEqualTo(AccessState.ACTIVE_OPTIMIZED);
        assertThat(g.peers()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536})
    void idsAreOneTo65535(int id) {
        assertThatThrownBy(() -> new TargetPortGroups(id)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 65535");
        TargetPortGroups g = new TargetPortGroups(65535);
        assertThatThrownBy(() -> g.peer(id, AccessState.STANDBY)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theOwnGroupIsNoPeer() {
        TargetPortGroups g = new TargetPortGroups(4);

        assertThatThrownBy(() -> g.peer(4, AccessState.STANDBY)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("own group");
        assertThatThrownBy(() -> g.removePeer(4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void peersAreKeptInIdOrder() {
        TargetPortGroups g = new TargetPortGroups(4);

        g.peer(9, AccessState.STANDBY);
        g.peer(2, AccessState.ACTIVE_OPTIMIZED);
        g.peer(9, AccessState.UNAVAILABLE);

        assertThat(g.peers()).containsExactly(entry(2, AccessState.ACTIVE_OPTIMIZED),
                entry(9, AccessState.UNAVAILABLE));
        assertThat(g.removePeer(2)).isTrue();
        assertThat(g.removePeer(2)).isFalse();
        assertThat(g.peers()).containsExactly(entry(9, AccessState.UNAVAILABLE));
        assertThat(g).hasToString("TargetPortGroups[4*=ACTIVE_OPTIMIZED, 9=UNAVAILABLE]");
    }

    @Test
    void listenersHearEveryChangeAndNothingElse() {
        TargetPortGroups g = new TargetPortGroups(1);
        List<String> heard = new ArrayList<>();
        TargetPortGroups.Listener listener = (group, state) -> heard.add(group + "=" + state);
        g.addListener((group, state) -> {
            throw new IllegalStateException("a listener that fails");
        });
        g.addListener(listener);

        g.state(AccessState.STANDBY);
        g.state(AccessState.STANDBY);
        g.peer(2, AccessState.TRANSITIONING);
        g.peer(2, AccessState.TRANSITIONING);
        g.peer(2, AccessState.ACTIVE_OPTIMIZED);
        g.removePeer(2);
        g.removePeer(2);
        assertThat(g.removeListener(listener)).isTrue();
        g.state(AccessState.ACTIVE_OPTIMIZED);

        assertThat(heard).containsExactly("1=STANDBY", "2=TRANSITIONING", "2=ACTIVE_OPTIMIZED", "2=null");
        assertThat(g.state()).isEqualTo(AccessState.ACTIVE_OPTIMIZED);
    }

    @Test
    void codesAreSpc5s() {
        assertThat(AccessState.ACTIVE_OPTIMIZED.code()).isEqualTo(0x0);
        assertThat(AccessState.ACTIVE_NON_OPTIMIZED.code()).isEqualTo(0x1);
        assertThat(AccessState.STANDBY.code()).isEqualTo(0x2);
        assertThat(AccessState.UNAVAILABLE.code()).isEqualTo(0x3);
        assertThat(AccessState.TRANSITIONING.code()).isEqualTo(0xF);
        for (AccessState s : AccessState.values()) {
            assertThat(AccessState.fromCode(s.code())).isEqualTo(s);
        }
        assertThatThrownBy(() -> AccessState.fromCode(0xE)).isInstanceOf(IllegalArgumentException.class);
    }
}
