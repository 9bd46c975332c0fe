package io.iscsi4j.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The checked-in list of conformance tests that may skip or fail ({@code conformance/expected.txt}); every test not
 * listed must pass. One line per test, blank lines and {@code #} comments ignored:
 * <pre>
 * SUITE.TEST  KIND  REASON
 * </pre>
 * where KIND is {@code skip} (the test cannot apply to a disk logical unit served from a backstore, and never will)
 * or {@code todo} (what the test needs is not implemented yet, or it fails: the reason quotes the failure). Immutable.
 */
final class ExpectedResults {

    /** The classpath resource of the list the conformance test checks against. */
    static final String RESOURCE = "/conformance/expected.txt";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    private final Map<String, Entry> entries;
    private final List<String> lines;

    private ExpectedResults(Map<String, Entry> entries, List<String> lines) {
        this.entries = Collections.unmodifiableMap(entries);
        this.lines = List.copyOf(lines);
    }

    /**
     * Reads {@link #RESOURCE}.
     *
     * @return the list
     * @throws IllegalArgumentException naming the first malformed line
     */
    static ExpectedResults load() {
        try (InputStream in = ExpectedResults.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Parses the text of a list.
     *
     * @param text the file's content
     * @return the list
     * @throws IllegalArgumentException naming the first malformed line (line numbers from 1)
     */
    static ExpectedResults parse(String text) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+", 3);
            String where = "line " + (i + 1) + " (" + line + ")";
            if (fields.length < 3) {
                throw new IllegalArgumentException(where + ": expected SUITE.TEST KIND REASON");
            }
            if (!NAME.matcher(fields[0]).matches()) {
                throw new IllegalArgumentException(where + ": the test name must be SUITE.TEST, as Read10.Simple");
            }
            Kind kind;
            try {
                kind = Kind.valueOf(fields[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": the kind must be skip or todo, not " + fields[1], e);
            }
            if (!fields[1].equals(kind.word())) {
                throw new IllegalArgumentException(where + ": write the kind in lower case: " + kind.word());
            }
            if (entries.containsKey(fields[0])) {
                throw new IllegalArgumentException(where + ": " + fields[0] + " is listed twice");
            }
            entries.put(fields[0], new Entry(fields[0], kind, fields[2].strip(), i + 1));
        }
        return new ExpectedResults(entries, lines);
    }

    /**
     * The line for a test.
     *
     * @param name {@code SUITE.TEST}
     * @return its entry, or {@code null} when the test must pass
     */
    Entry get(String name) {
        return entries.get(name);
    }

    /** Every entry, in file order. */
    Iterable<Entry> entries() {
        return entries.values();
    }

    /**
     * The list rewritten for a run: the lines of tests that passed are dropped, every other line (comments too) is
     * kept as it is, and a line is added for each test that skipped or failed without being listed, with its kind
     * set to {@code todo} and its reason taken from the log, for a person to review.
     *
     * @param results the run's results
     * @return the text of the new list
     */
    String rewrite(List<CuTestResult> results) {
        Map<String, CuTestResult> byName = new LinkedHashMap<>();
        for (CuTestResult r : results) {
            byName.put(r.name(), r);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String[] fields = line.strip().split("\\s+", 2);
            Entry e = entries.get(fields[0]);
            CuTestResult r = byName.get(fields[0]);
            if (e != null && e.line() == i + 1 && r != null && r.verdict() == CuTestResult.Verdict.PASSED) {
                continue;
            }
            out.append(line).append('\n');
        }
        boolean first = true;
        for (CuTestResult r : results) {
            if (r.verdict() == CuTestResult.Verdict.PASSED || entries.containsKey(r.name())) {
                continue;
            }
            if (first) {
                out.append("\n# Added from a run: review the kind (skip or todo) and reword the reason.\n");
                first = false;
            }
            String reason = switch (r.verdict()) {
                case SKIPPED -> "skipped: " + r.detail();
                case FAILED -> "FAILED: " + r.detail();
                default -> "no verdict: " + r.detail();
            };
            out.append(String.format("%-40s%-6s%s", r.name(), Kind.TODO.word(), reason.replace('\n', ' ')))
                    .append('\n');
        }
        return out.toString();
    }

    /** How many entries have the kind. */
    long count(Kind kind) {
        return entries.values().stream().filter(e -> e.kind() == kind).count();
    }

    /** Why a listed test may do something other than pass. */
    enum Kind {
        /** The test cannot apply to a disk logical unit served from a backstore: it may skip, never fail. */
        SKIP,
        /** Not implemented yet, or a known failure: the test may skip or fail until the work is done. */
        TODO;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One line of the list.
     *
     * @param name {@code SUITE.TEST}
     * @param kind skip or todo
     * @param reason why, in words
     * @param line the line number, from 1
     */
    record Entry(String name, Kind kind, String reason, int line) {

        Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(reason, "reason");
        }

        /** The entry as written in the file, for messages. */
        @Override
        public String toString() {
            return "line " + line + ": " + name + "  " + kind.word() + "  " + reason;
        }
    }
}
