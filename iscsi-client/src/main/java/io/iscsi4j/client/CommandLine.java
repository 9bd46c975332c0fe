package io.iscsi4j.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: the command, its positional arguments and its options ({@code --name value},
 * {@code --name=value} or a flag {@code --name}). Options may stand anywhere after the command; {@code --} ends them.
 */
final class CommandLine {

    /** Options that take a value. */
    static final Set<String> VALUED = Set.of("initiator-name", "chap-user", "chap-secret", "target-user",
            "target-secret", "header-digest", "data-digest", "chap-algorithms", "timeout", "bs", "qd", "seconds",
            "ramp", "rw");
    /** Options that are flags. */
    static final Set<String> FLAGS = Set.of("verify", "write-ok", "help", "progress", "no-progress");

    final String command;
    final List<String> positional;
    final Map<String, String> options;

    private CommandLine(String command, List<String> positional, Map<String, String> options) {
        this.command = command;
        this.positional = positional;
        this.options = options;
    }

    static CommandLine parse(String[] args) throws UsageException {
        String command = null;
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        boolean endOfOptions = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!endOfOptions && a.equals("--")) {
                endOfOptions = true;
            } else if (!endOfOptions && a.startsWith("--")) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (FLAGS.contains(name)) {
                    if (value != null) {
                        throw new UsageException("--" + name + " takes no value");
                    }
                    value = "true";
                } else if (VALUED.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("--" + name + " needs a value");
                        }
                        value = args[++i];
                    }
                } else {
                    throw new UsageException("unknown option --" + name + " (try --help)");
                }
                if (options.put(name, value) != null) {
                    throw new UsageException("--" + name + " is given twice");
                }
            } else if (!endOfOptions && a.startsWith("-") && a.length() > 1) {
                if (a.equals("-h")) {
                    options.put("help", "true");
                } else {
                    throw new UsageException("unknown option " + a + " (options start with --; try --help)");
                }
            } else if (command == null) {
                command = a;
            } else {
                positional.add(a);
            }
        }
        return new CommandLine(command, positional, options);
    }

    boolean has(String option) {
        return options.containsKey(option);
    }

    String get(String option) {
        return options.get(option);
    }

    /** Refuses the options the command does not take. */
    void allowOnly(Set<String> allowed) throws UsageException {
        for (String name : options.keySet()) {
            if (!allowed.contains(name)) {
                throw new UsageException(command + " does not take --" + name);
            }
        }
    }

    /** Refuses a wrong number of positional arguments, naming the usage. */
    void expect(int count, String usage) throws UsageException {
        if (positional.size() < count) {
            throw new UsageException(command + ": missing argument; usage: " + usage);
        }
        if (positional.size() > count) {
            throw new UsageException(command + ": unexpected argument " + positional.get(count) + "; usage: " + usage);
        }
    }

    int intOption(String option, int defaultValue, int min, int max) throws UsageException {
        String text = options.get(option);
        if (text == null) {
            return defaultValue;
        }
        try {
            int v = Integer.parseInt(text.trim());
            if (v < min || v > max) {
                throw new UsageException("--" + option + " must be " + min + " to " + max + ": " + text);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + option + " is not a number: " + text);
        }
    }
}
