package io.iscsi4j.client;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar redrawn on a terminal (carriage return, at most four times a second); does nothing when
 * disabled, so redirected output stays clean.
 */
final class Progress {

    private static final long REDRAW_NANOS = 250_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean enabled;
    private final long total;
    private final long started = System.nanoTime();
    private long done;
    private long lastDraw;

    Progress(PrintStream err, boolean enabled, long total) {
        this.err = err;
        this.enabled = enabled;
        this.total = total;
    }

    void add(long bytes) {
        done += bytes;
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            draw(now);
        }
    }

    private void draw(long now) {
        int filled = total > 0 ? (int) Math.min(WIDTH, done * WIDTH / total) : 0;
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        String percent = total > 0 ? String.format(Locale.ROOT, "%3d%%", done * 100 / total) : "";
        err.print("\r[" + bar + "] " + percent + " " + Sizes.human(done) + " of " + Sizes.human(total) + "  "
                + Sizes.mibPerSecond(done, now - started) + "   ");
        err.flush();
    }

    /** Erases the bar. */
    void finish() {
        if (enabled && lastDraw != 0) {
            err.print("\r" + " ".repeat(WIDTH + 60) + "\r");
            err.flush();
        }
    }

    long elapsedNanos() {
        return System.nanoTime() - started;
    }

    long done() {
        return done;
    }
}
