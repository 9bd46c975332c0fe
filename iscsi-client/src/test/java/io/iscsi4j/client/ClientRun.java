package io.iscsi4j.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One run of {@link Main#run} with captured standard output and error. */
record ClientRun(int status, byte[] stdout, String stderr) {

    static ClientRun run(String... args) {
        return run(Map.of(), new byte[0], args);
    }

    static ClientRun run(Map<String, String> env, byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int status = Main.run(args, env, new ByteArrayInputStream(stdin), o, e);
            return new ClientRun(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        }
    }

    String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** For assertion messages. */
    String describe() {
        return "[exit " + status + "]\n--- stdout ---\n" + (stdout.length > 4096 ? stdout.length + " bytes" : out())
                + "\n--- stderr ---\n" + stderr;
    }
}
