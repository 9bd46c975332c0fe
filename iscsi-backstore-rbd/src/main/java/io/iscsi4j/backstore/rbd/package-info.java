/**
 * Serving a Ceph RBD image: {@link io.iscsi4j.backstore.rbd.RbdBackstore} (open one with its
 * {@link io.iscsi4j.backstore.rbd.RbdBackstore#builder() builder}) and the {@code rbd} kind of
 * {@link io.iscsi4j.backstore.Backstores#open(String)}, for example
 * {@code rbd:pool=rbd,image=lun0,conf=/etc/ceph/ceph.conf,id=admin}.
 *
 * @since 0.1
 */
package io.iscsi4j.backstore.rbd;
