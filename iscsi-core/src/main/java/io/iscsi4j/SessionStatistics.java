package io.iscsi4j;

/**
 * A snapshot of one session's counters since its login, from {@link ActiveSession#statistics()}. A command is
 * counted once, when the target answers it; aborted commands are not counted.
 *
 * @param commands answered SCSI commands
 * @param bytesRead bytes the target sent as Data-In for commands that ended with GOOD status
 * @param bytesWritten bytes the target received as Data-Out (immediate, unsolicited or solicited) for commands that
 *     ended with GOOD status
 * @param checkConditions commands answered with CHECK CONDITION (errors and unit attentions)
 * @param inFlight SCSI commands received and not yet answered or ended
 * @since 0.2
 */
public record SessionStatistics(long commands, long bytesRead, long bytesWritten, long checkConditions,
                                int inFlight) {
}
