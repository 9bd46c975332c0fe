package io.iscsi4j.core.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Guards against a fuzz test that silently runs nothing: counts the invocations of each fuzz method and, in
 * regression mode (no {@code JAZZER_FUZZ}), checks after the class that every method that ran was called at least
 * once per file of its checked-in seed directory {@code <TestClass>Inputs/<method>/}, and that the directory holds
 * at least {@link #MIN_SEEDS} seeds.
 */
final class SeedRuns {

    /** The fewest seeds a fuzz method's directory must hold. */
    static final int MIN_SEEDS = 3;

    private final Class<?> testClass;
    private final Map<String, Integer> runs = new TreeMap<>();

    SeedRuns(Class<?> testClass) {
        this.testClass = testClass;
    }

    synchronized void record(String method) {
        runs.merge(method, 1, Integer::sum);
    }

    synchronized void verify() {
        String fuzz = System.getenv("JAZZER_FUZZ");
        if (fuzz != null && !fuzz.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Integer> entry : runs.entrySet()) {
            long seeds = seedCount(entry.getKey());
            if (seeds < MIN_SEEDS) {
                throw new AssertionError(testClass.getSimpleName() + "." + entry.getKey() + " has " + seeds
                        + " seed files, expected at least " + MIN_SEEDS);
            }
            if (entry.getValue() < seeds) {
                throw new AssertionError(testClass.getSimpleName() + "." + entry.getKey() + " ran "
                        + entry.getValue() + " times over " + seeds + " seed files");
            }
        }
    }

    /** Number of regular files in the seed directory of {@code method}. */
    long seedCount(String method) {
        URL url = testClass.getResource(testClass.getSimpleName() + "Inputs/" + method);
        if (url == null) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(Paths.get(url.toURI()))) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
