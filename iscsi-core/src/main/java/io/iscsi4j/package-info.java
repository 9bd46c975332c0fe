/**
 * The public API of the iSCSI target: {@link io.iscsi4j.IscsiTarget} and its builder, {@link
 * io.iscsi4j.TargetBuilder}, {@link io.iscsi4j.LunBuilder} and {@link io.iscsi4j.AclBuilder}, and the immutable
 * configuration they produce. Storage is plugged in as {@link io.iscsi4j.backstore.Backstore}s (module
 * {@code iscsi-backstore-spi}), authentication as {@link io.iscsi4j.core.auth.Authenticator}s.
 *
 * <p>API packages (their Javadoc is checked at build time): {@code io.iscsi4j},
 * {@code io.iscsi4j.core.auth}, {@code io.iscsi4j.backstore} and {@code io.iscsi4j.scsi}. Everything else in this
 * module ({@code io.iscsi4j.core.login}, {@code .pdu}, {@code .session}, {@code .transport}) is internal, even where
 * a type is public.
 *
 * @since 0.1
 */
package io.iscsi4j;
