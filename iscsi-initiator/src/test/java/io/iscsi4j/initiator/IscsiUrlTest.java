package io.iscsi4j.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IscsiUrlTest {

    @Test
    void parsesAFullUrl() {
        IscsiUrl url = IscsiUrl.parse("iscsi://alice%s3cret@127.0.0.1:3261/iqn.2026-11.io.iscsi4j:Demo/7");
        assertThat(url.host()).isEqualTo("127.0.0.1");
        assertThat(url.port()).isEqualTo(3261);
        assertThat(url.target()).isEqualTo("iqn.2026-11.io.iscsi4j:demo");
        assertThat(url.lun()).isEqualTo(7);
        assertThat(url.user()).isEqualTo("alice");
        assertThat(url.secret()).isEqualTo("s3cret");
        assertThat(url.toString()).doesNotContain("s3cret").contains("alice%***@");
        assertThat(url.loginOptions(LoginOptions.defaults()).chapUser()).isEqualTo("alice");
    }

    @Test
    void defaultsThePortAndAllowsNoTargetOrLun() {
        IscsiUrl portal = IscsiUrl.parse("iscsi://example.com");
        assertThat(portal.port()).isEqualTo(3260);
        assertThat(portal.target()).isNull();
        assertThat(portal.lun()).isEqualTo(-1);
        IscsiUrl target = IscsiUrl.parse("iscsi://example.com/iqn.x:y");
        assertThat(target.target()).isEqualTo("iqn.x:y");
        assertThatThrownBy(target::requireLun).isInstanceOf(IllegalStateException.class);
        assertThat(portal.loginOptions(LoginOptions.defaults())).isSameAs(LoginOptions.defaults());
    }

    @Test
    void parsesIpv6Literals() {
        IscsiUrl url = IscsiUrl.parse("iscsi://[::1]:3262/iqn.x:y/0");
        assertThat(url.host()).isEqualTo("::1");
        assertThat(url.port()).isEqualTo(3262);
        assertThat(url.toString()).isEqualTo("iscsi://[::1]:3262/iqn.x:y/0");
    }

    @Test
    void rejectsMalformedUrlsWithoutShowingTheSecret() {
        assertThatThrownBy(() -> IscsiUrl.parse("http://x/y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IscsiUrl.parse("iscsi://x:port/y")).hasMessageContaining("port");
        assertThatThrownBy(() -> IscsiUrl.parse("iscsi://x/iqn.x:y/lun")).hasMessageContaining("LUN");
        assertThatThrownBy(() -> IscsiUrl.parse("iscsi://onlyuser@x/y")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("onlyuser");
        assertThatThrownBy(() -> IscsiUrl.parse("iscsi://x/iqn.x:y/99999")).hasMessageContaining("16383");
    }
}
