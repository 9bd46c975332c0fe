package io.iscsi4j.core.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommandWindowTest {

    @Test
    void windowCoversExpToMaxAndGrowsOnlyOnCompletion() {
        CommandWindow w = new CommandWindow(4, 10);
        assertThat(w.expCmdSN()).isEqualTo(10);
        assertThat(w.maxCmdSN()).isEqualTo(13);
        assertThat(w.inWindow(10)).isTrue();
        assertThat(w.inWindow(13)).isTrue();
        assertThat(w.inWindow(14)).isFalse();
        assertThat(w.inWindow(9)).isFalse();

        w.deliver();
        assertThat(w.expCmdSN()).isEqualTo(11);
        assertThat(w.maxCmdSN()).as("delivery does not open the window").isEqualTo(13);
        w.completed();
        assertThat(w.maxCmdSN()).isEqualTo(14);
    }

    @Test
    void fullWindowAcceptsNothing() {
        CommandWindow w = new CommandWindow(2, 0);
        w.deliver();
        w.deliver();
        assertThat(w.maxCmdSN()).isEqualTo(w.expCmdSN() - 1);
        assertThat(w.inWindow(w.expCmdSN())).isFalse();
        w.completed();
        assertThat(w.inWindow(w.expCmdSN())).isTrue();
    }

    @Test
    void serialArithmeticWrapsAround() {
        CommandWindow w = new CommandWindow(8, 0xFFFF_FFFE);
        assertThat(w.inWindow(0xFFFF_FFFE)).isTrue();
        assertThat(w.inWindow(0xFFFF_FFFF)).isTrue();
        assertThat(w.inWindow(0)).isTrue();
        assertThat(w.inWindow(5)).isTrue();
        assertThat(w.inWindow(6)).isFalse();
        assertThat(w.inWindow(0xFFFF_FFFD)).isFalse();
        w.deliver();
        w.deliver();
        assertThat(w.expCmdSN()).isZero();
    }
}
