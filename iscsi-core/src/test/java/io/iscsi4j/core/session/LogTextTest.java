package io.iscsi4j.core.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogTextTest {

    @Test
    void printableTextIsReturnedAsItIs() {
        String name = "iqn.1993-08.org.debian:01:alice \u00e9\u6f22 \\x0a";
        assertThat(LogText.escape(name)).isSameAs(name);
    }

    @Test
    void lineBreaksCannotStartANewLogLine() {
        assertThat(LogText.escape("iqn.evil\n2026-11-21 WARN forged\r\n"))
                .isEqualTo("iqn.evil\\x0a2026-11-21 WARN forged\\x0d\\x0a");
    }

    @Test
    void everyC0AndC1ControlAndDelIsEscaped() {
        for (char c = 0; c < 0x20; c++) {
            assertThat(LogText.escape("a" + c + "b")).isEqualTo(String.format("a\\x%02xb", (int) c));
        }
        for (char c = 0x7f; c <= 0x9f; c++) {
            assertThat(LogText.escape("a" + c + "b")).isEqualTo(String.format("a\\x%02xb", (int) c));
        }
        assertThat(LogText.escape("\u001b[31mred")).isEqualTo("\\x1b[31mred");
        assertThat(LogText.escape("\u00a0\u00ff")).isEqualTo("\u00a0\u00ff");
    }

    @Test
    void unicodeSeparatorsAndBidiControlsAreEscaped() {
        assertThat(LogText.escape("a\u2028b\u2029c")).isEqualTo("a\\u2028b\\u2029c");
        assertThat(LogText.escape("\u202a\u202b\u202c\u202d\u202e"))
                .isEqualTo("\\u202a\\u202b\\u202c\\u202d\\u202e");
        assertThat(LogText.escape("\u2066\u2067\u2068\u2069")).isEqualTo("\\u2066\\u2067\\u2068\\u2069");
        assertThat(LogText.escape("\u2027\u2030\u2065\u206a")).isEqualTo("\u2027\u2030\u2065\u206a");
    }

    @Test
    void longValuesAreCutWithAnEllipsis() {
        String exact = "x".repeat(LogText.MAX_LENGTH);
        assertThat(LogText.escape(exact)).isSameAs(exact);
        assertThat(LogText.escape(exact + "y")).isEqualTo(exact + "\u2026");
        assertThat(LogText.escape("\n".repeat(10_000)))
                .isEqualTo("\\x0a".repeat(LogText.MAX_LENGTH) + "\u2026");
        assertThat(LogText.escape("abcdef", 3)).isEqualTo("abc\u2026");
    }

    @Test
    void theCutNeverSplitsASurrogatePair() {
        String clef = "\ud834\udd1e"; // U+1D11E, two chars
        assertThat(LogText.escape("ab" + clef + "c", 3)).isEqualTo("ab\u2026");
        assertThat(LogText.escape("ab" + clef + "c", 4)).isEqualTo("ab" + clef + "\u2026");
    }

    @Test
    void nullIsPrintedAsNull() {
        assertThat(LogText.escape(null)).isEqualTo("null");
    }

    @Test
    void aMaximumBelowOneIsRefused() {
        assertThatThrownBy(() -> LogText.escape("a", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
