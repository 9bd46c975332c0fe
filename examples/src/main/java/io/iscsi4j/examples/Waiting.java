package io.iscsi4j.examples;

import java.io.IOException;

/** How the examples wait: for a number of seconds, or until Enter is pressed. */
final class Waiting {

    private Waiting() {
    }

    /**
     * Returns after {@code seconds} seconds, or when Enter is pressed (or standard input ends) for 0.
     *
     * @param seconds how long to serve; 0 waits for Enter
     * @throws IOException when standard input fails
     * @throws InterruptedException when interrupted while sleeping
     */
    static void serve(long seconds) throws IOException, InterruptedException {
        if (seconds > 0) {
            Thread.sleep(seconds * 1000);
        } else {
            System.out.println("press Enter to stop");
            System.in.read();
        }
    }
}
