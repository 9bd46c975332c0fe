package io.iscsi4j.client;

/**
 * A bad command line: the client prints {@code iscsi4j-client: <message>} and exits with status 2.
 */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
