package io.iscsi4j;

import io.iscsi4j.backstore.Backstores;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AclConfigTest {

    @Test
    void exactNamesCompareCaseInsensitively() {
        AclConfig a = new AclConfig("iqn.1993-08.org.debian:01:ABC", Map.of());
        assertThat(a.matches("iqn.1993-08.org.debian:01:abc")).isTrue();
        assertThat(a.matches("iqn.1993-08.org.debian:01:abcd")).isFalse();
    }

    @Test
    void wildcardsMatchRunsAndSingleCharactersAndNothingElseIsSpecial() {
        AclConfig star = new AclConfig("iqn.1993-08.org.debian:*", Map.of());
        assertThat(star.matches("iqn.1993-08.org.debian:01:abc")).isTrue();
        assertThat(star.matches("iqn.1993-08.org.debianX01")).as("the dot is literal").isFalse();
        AclConfig one = new AclConfig("iqn.2026-11.com.example:host?", Map.of());
        assertThat(one.matches("iqn.2026-11.com.example:host7")).isTrue();
        assertThat(one.matches("iqn.2026-11.com.example:host17")).isFalse();
    }

    @Test
    void firstMatchingAclAppliesAndNoAclsAdmitEveryone() {
        TargetConfig open = new TargetBuilder("iqn.2026-11.io.iscsi4j:t").lun(0, Backstores.memory(1 << 20)).build();
        assertThat(open.aclFor("iqn.anything")).isNotNull();

        TargetConfig closed = new TargetBuilder("iqn.2026-11.io.iscsi4j:t").lun(0, Backstores.memory(1 << 20))
                .acl("iqn.2026-11.com.example:*", a -> a.mapLun(5, 0)).allowInitiator("iqn.2026-11.com.example:b")
                .build();
        assertThat(closed.aclFor("iqn.2026-11.com.example:b").lunMapping()).containsEntry(5, 0);
        assertThat(closed.aclFor("iqn.2026-11.org.other:b")).isNull();
    }

    @Test
    void mappingALunTheTargetLacksIsRefusedAtBuildTime() {
        assertThatThrownBy(() -> new TargetBuilder("iqn.2026-11.io.iscsi4j:t").lun(0, Backstores.memory(1 << 20))
                .acl("iqn.x", a -> a.mapLun(0, 3)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("LUN 3");
        assertThatThrownBy(() -> new AclBuilder().mapLun(1, 0).mapLun(1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
