/**
 * Internal, not API: the Netty server that binds the portals and builds each connection's pipeline. Public types
 * here are public only for other packages of this module; they may change in any release. Applications use
 * {@link io.iscsi4j.IscsiTarget}.
 */
package io.iscsi4j.core.transport;
