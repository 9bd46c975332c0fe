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
    void noAclsAdmitEveryoneAndInitiatorsMatchingNoneAreNotAdmitted() {
        TargetConfig open = new TargetBuilder("iqn.2026-11.io.iscsi4j:t").lun(0, Backstores.memory(1 << 20)).build();
        assertThat(open.aclFor("iqn.anything")).isNotNull();

        TargetConfig closed = new TargetBuilder("iqn.2026-11.io.iscsi4j:t").lun(0, Backstores.memory(1 << 20))
                .acl("iqn.2026-11.com.example:*", a -> a.mapLun(5, 0)).build();
        assertThat(closed.aclFor("iqn.2026-11.com.example:b").lunMapping()).containsEntry(5, 0);
        assertThat(closed.aclFor("iqn.2026-11.org.other:b")).isNull();
    }

    @Test
    void anExactNameWinsOverPatternsThenTheMostSpecificPatternThenTheFirstDeclared() {
        TargetConfig t = new TargetBuilder("iqn.2026-11.io.iscsi4j:t").lun(0, Backstores.memory(1 << 20))
                .lun(1, Backstores.memory(1 << 20)).lun(2, Backstores.memory(1 << 20))
                .acl("*", a -> a.mapLun(0, 0))
                .acl("iqn.2026-11.com.example:*", a -> a.mapLun(0, 1))
                .acl("iqn.2026-11.com.example:web*", a -> a.mapLun(0, 2))
                .acl("IQN.2026-11.com.example:web1", a -> a.mapLun(7, 0))
                .acl("iqn.2026-11.com.example:db?", a -> a.mapLun(3, 0))
                .acl("iqn.2026-11.com.example:d?1", a -> a.mapLun(4, 0))
                .build();
        assertThat(t.aclFor("iqn.2026-11.com.example:web1").lunMapping()).as("exact, ignoring case")
                .containsOnlyKeys(7);
        assertThat(t.aclFor("iqn.2026-11.com.example:web2").lunMapping()).as("most literal characters")
                .containsEntry(0, 2);
        assertThat(t.aclFor("iqn.2026-11.com.example:mail").lunMapping()).containsEntry(0, 1);
        assertThat(t.aclFor("iqn.2026-11.org.other:x").lunMapping()).containsEntry(0, 0);
        assertThat(t.aclFor("iqn.2026-11.com.example:db1").lunMapping()).as("equally specific: the first declared")
                .containsOnlyKeys(3);
    }

    @Test
    void aclsAreUniqueIgnoringCaseAndReadOnlyLunsMustBeMapped() {
        assertThatThrownBy(() -> new TargetBuilder("iqn.2026-11.io.iscsi4j:t").allowInitiator("iqn.x:a")
                .allowInitiator("IQN.X:A"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("defined twice");
        assertThatThrownBy(() -> new AclConfig("iqn.x", Map.of(0, 0), java.util.Set.of(1), false,
                java.util.Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("read-only LUN 1");
        AclConfig ro = new AclBuilder().mapLun(0, 3).mapLunReadOnly(1, 4).build("iqn.x", false);
        assertThat(ro.isReadOnly(1)).isTrue();
        assertThat(ro.isReadOnly(0)).isFalse();
        assertThat(new AclBuilder().readOnly().build("iqn.x", false).isReadOnly(9)).isTrue();
    }

    @Test
    void aclChapSecretsFollowTheTargetsRulesAndAreNeverPrinted() {
        assertThatThrownBy(() -> new TargetBuilder("iqn.2026-11.io.iscsi4j:t").lun(0, Backstores.memory(1 << 20))
                .acl("iqn.x", a -> a.chap("u", "short")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ACL iqn.x")
                .hasMessageContaining("allowShortSecrets()")
                .hasMessageNotContaining("short,");
        assertThatThrownBy(() -> new TargetBuilder("iqn.2026-11.io.iscsi4j:t").lun(0, Backstores.memory(1 << 20))
                .acl("iqn.x", a -> a.mutualChap("disk", "disk-secret-12345")).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mutualChap(...) needs chap");
        TargetConfig t = new TargetBuilder("iqn.2026-11.io.iscsi4j:t").lun(0, Backstores.memory(1 << 20))
                .acl("iqn.x", a -> a.chap("u", "short").mutualChap("disk", "other"))
                .allowShortSecrets()
                .chapAlgorithms(io.iscsi4j.core.auth.ChapAlgorithm.SHA256)
                .build();
        AclConfig acl = t.aclFor("iqn.x");
        assertThat(acl.chap()).hasValueSatisfying(c -> assertThat(c.isMutual()).isTrue());
        assertThat(acl.toString() + t.authenticator()).doesNotContain("short").doesNotContain("other");
        assertThat(t.authenticator().acceptedMethods("iqn.x", java.util.Optional.of(t.name())))
                .containsExactly("CHAP");
        assertThat(t.authenticator().allowsUnauthenticated("iqn.y", java.util.Optional.of(t.name())))
                .as("initiators of no CHAP ACL use the target-wide authentication: none").isTrue();
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
