/**
 * Internal, not API: sessions and connections in full feature phase (RFC 7143 §4, §7): the CmdSN window, the task
 * table, R2T and Data-Out sequencing, task management, and the hand-off between the connection's event loop and
 * the SCSI layer. Public types here are public only for other packages of this module; they may change in any
 * release. Applications use {@link io.iscsi4j.IscsiTarget}.
 */
package io.iscsi4j.core.session;
