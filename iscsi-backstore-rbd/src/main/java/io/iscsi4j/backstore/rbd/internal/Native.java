package io.iscsi4j.backstore.rbd.internal;

import com.sun.jna.Callback;
import com.sun.jna.NativeLibrary;

/**
 * The C functions of librados and librbd this module calls, bound with JNA's direct mapping (a JNI stub per
 * function, no proxy or argument conversion per call). Handles ({@code rados_t}, {@code rados_ioctx_t},
 * {@code rbd_image_t}, {@code rbd_completion_t}, {@code rados_completion_t}, {@code rados_write_op_t}...) and buffer
 * addresses are passed as {@code long}: this module runs on 64-bit platforms only, where a pointer and a
 * {@code size_t} are 64 bits wide. Out parameters are one-element {@code long[]}s, or native memory when librados
 * fills them only when an asynchronous call completes. Direct mapping takes no arrays of strings or pointers:
 * those ({@code char const* const*}) are built in native memory and passed as addresses.
 *
 * <p>The libraries load when this class initialises; {@link #loadFailure()} says why they could not be.
 */
public final class Native {

    /** {@code rbd_callback_t} and {@code rados_callback_t}: an asynchronous operation completed. */
    public interface CompletionCallback extends Callback {
        /**
         * Called by librbd or librados on one of its threads.
         *
         * @param completion the {@code rbd_completion_t} or {@code rados_completion_t}
         * @param arg the argument given to {@code rbd_aio_create_completion} or {@code rados_aio_create_completion2}
         */
        void invoke(long completion, long arg);
    }

    /** {@code rados_watchcb2_t}: a notify reached a watch of this client. */
    public interface WatchCallback extends Callback {
        /**
         * Called by librados on its watch/notify thread, one notify after the other.
         *
         * @param arg the argument given to {@code rados_watch2}
         * @param notifyId the notify's id, for {@code rados_notify_ack}
         * @param handle the watch's handle (its cookie), for {@code rados_notify_ack}
         * @param notifierId the notifying client's global id ({@code rados_get_instance_id})
         * @param data the payload's address, valid during the call only
         * @param dataLength the payload's length in bytes
         */
        void invoke(long arg, long notifyId, long handle, long notifierId, long data, long dataLength);
    }

    /** {@code rados_watcherrcb_t}: a watch broke (connection lost, client blocklisted...); notifies may be lost. */
    public interface WatchErrorCallback extends Callback {
        /**
         * Called by librados on its watch/notify thread.
         *
         * @param arg the argument given to {@code rados_watch2}
         * @param cookie the broken watch's handle
         * @param error the negative errno ({@code -ENOTCONN}, {@code -ESHUTDOWN} for a blocklisted client...)
         */
        void invoke(long arg, long cookie, int error);
    }

    /** {@code rbd_update_callback_t}: the image's header changed (size, features, snapshots...). */
    public interface UpdateCallback extends Callback {
        /**
         * Called by librbd on one of its threads.
         *
         * @param arg the argument given to {@code rbd_update_watch}
         */
        void invoke(long arg);
    }

    /** The callback of {@code rbd_diff_iterate2}: one extent that exists (or, for a diff, changed). */
    public interface DiffCallback extends Callback {
        /**
         * Called on the thread inside {@code rbd_diff_iterate2}.
         *
         * @param offset the extent's byte offset
         * @param length its length in bytes
         * @param exists 1 when the extent holds data, 0 when it was discarded or never written
         * @param arg the argument given to {@code rbd_diff_iterate2}
         * @return 0 to go on, a negative errno to stop
         */
        int invoke(long offset, long length, int exists, long arg);
    }

    private static final Throwable LOAD_FAILURE;

    static {
        Throwable failure = null;
        try {
            com.sun.jna.Native.register(Rados.class, library("rados", "librados.so.2"));
            com.sun.jna.Native.register(Rbd.class, library("rbd", "librbd.so.1"));
        } catch (Throwable t) { // UnsatisfiedLinkError, or JNA's own library missing
            failure = t;
        }
        LOAD_FAILURE = failure;
    }

    private Native() {
    }

    /** {@return why librados or librbd could not be loaded, or {@code null} when both are} */
    public static Throwable loadFailure() {
        return LOAD_FAILURE;
    }

    private static NativeLibrary library(String name, String soname) {
        try {
            return NativeLibrary.getInstance(soname); // the run-time package (librbd1) has only the versioned name
        } catch (UnsatisfiedLinkError e) {
            return NativeLibrary.getInstance(name);
        }
    }

    /** librados: the cluster connection and the pool's I/O context. */
    public static final class Rados {
        private Rados() {
        }

        /** {@code int rados_create(rados_t *cluster, const char *id)}. */
        public static native int rados_create(long[] cluster, String id);

        /** {@code int rados_conf_read_file(rados_t cluster, const char *path)}. */
        public static native int rados_conf_read_file(long cluster, String path);

        /** {@code int rados_conf_set(rados_t cluster, const char *option, const char *value)}. */
        public static native int rados_conf_set(long cluster, String option, String value);

        /** {@code int rados_conf_get(rados_t cluster, const char *option, char *buf, size_t len)}. */
        public static native int rados_conf_get(long cluster, String option, byte[] buf, long len);

        /** {@code int rados_connect(rados_t cluster)}. */
        public static native int rados_connect(long cluster);

        /** {@code void rados_shutdown(rados_t cluster)}. */
        public static native void rados_shutdown(long cluster);

        /** {@code int rados_cluster_fsid(rados_t cluster, char *buf, size_t len)}. */
        public static native int rados_cluster_fsid(long cluster, byte[] buf, long len);

        /** {@code int rados_ioctx_create(rados_t cluster, const char *pool, rados_ioctx_t *ioctx)}. */
        public static native int rados_ioctx_create(long cluster, String pool, long[] ioctx);

        /** {@code void rados_ioctx_destroy(rados_ioctx_t io)}. */
        public static native void rados_ioctx_destroy(long ioctx);

        /** {@code void rados_ioctx_set_namespace(rados_ioctx_t io, const char *nspace)}. */
        public static native void rados_ioctx_set_namespace(long ioctx, String namespace);

        /** {@code int rados_getaddrs(rados_t cluster, char **addrs)}: the string is freed with the cluster. */
        public static native int rados_getaddrs(long cluster, long[] addresses);

        /** {@code int64_t rados_ioctx_get_id(rados_ioctx_t io)}. */
        public static native long rados_ioctx_get_id(long ioctx);

        /** {@code uint64_t rados_get_instance_id(rados_t cluster)}: this client's global id (client.ID). */
        public static native long rados_get_instance_id(long cluster);

        /** {@code int rados_blocklist_add(rados_t cluster, char *client_address, uint32_t expire_seconds)}. */
        public static native int rados_blocklist_add(long cluster, String address, int expireSeconds);

        /** {@code int rados_wait_for_latest_osdmap(rados_t cluster)}. */
        public static native int rados_wait_for_latest_osdmap(long cluster);

        /** {@code void rados_buffer_free(char *buf)}. */
        public static native void rados_buffer_free(long buffer);

        /**
         * {@code int rados_aio_create_completion2(void *cb_arg, rados_callback_t cb_complete,
         * rados_completion_t *pc)}.
         */
        public static native int rados_aio_create_completion2(long arg, CompletionCallback callback,
                long[] completion);

        /** {@code int rados_aio_get_return_value(rados_completion_t c)}. */
        public static native int rados_aio_get_return_value(long completion);

        /** {@code void rados_aio_release(rados_completion_t c)}. */
        public static native void rados_aio_release(long completion);

        /** {@code rados_write_op_t rados_create_write_op(void)}. */
        public static native long rados_create_write_op();

        /** {@code void rados_release_write_op(rados_write_op_t write_op)}. */
        public static native void rados_release_write_op(long op);

        /** {@code void rados_write_op_create(rados_write_op_t write_op, int exclusive, const char *category)}. */
        public static native void rados_write_op_create(long op, int exclusive, String category);

        /**
         * {@code void rados_write_op_omap_cmp(rados_write_op_t write_op, const char *key, uint8_t comparison_operator,
         * const char *val, size_t val_len, int *prval)}: the whole operation fails with {@code -ECANCELED} when the
         * comparison does not hold; a key that does not exist compares as an empty value.
         */
        public static native void rados_write_op_omap_cmp(long op, String key, byte comparison, byte[] value,
                long valueLength, long resultAddress);

        /**
         * {@code void rados_write_op_omap_set(rados_write_op_t write_op, char const* const* keys,
         * char const* const* vals, const size_t *lens, size_t num)}: keys and values are copied during the call.
         */
        public static native void rados_write_op_omap_set(long op, long keys, long values, long[] lengths,
                long count);

        /** {@code void rados_write_op_omap_rm_keys(rados_write_op_t write_op, char const* const* keys, size_t keys_len)}. */
        public static native void rados_write_op_omap_rm_keys(long op, long keys, long count);

        /**
         * {@code int rados_aio_write_op_operate(rados_write_op_t write_op, rados_ioctx_t io,
         * rados_completion_t completion, const char *oid, time_t *mtime, int flags)}.
         */
        public static native int rados_aio_write_op_operate(long op, long ioctx, long completion, String oid,
                long mtime, int flags);

        /** {@code rados_read_op_t rados_create_read_op(void)}. */
        public static native long rados_create_read_op();

        /** {@code void rados_release_read_op(rados_read_op_t read_op)}. */
        public static native void rados_release_read_op(long op);

        /**
         * {@code void rados_read_op_omap_get_vals_by_keys(rados_read_op_t read_op, char const* const* keys,
         * size_t keys_len, rados_omap_iter_t *iter, int *prval)}: the iterator is set during the call and filled when
         * the operation completes; it is freed with {@code rados_omap_get_end}, whatever the outcome.
         */
        public static native void rados_read_op_omap_get_vals_by_keys(long op, long keys, long count, long[] iterator,
                long resultAddress);

        /**
         * {@code void rados_read_op_omap_get_vals2(rados_read_op_t read_op, const char *start_after,
         * const char *filter_prefix, uint64_t max_return, rados_omap_iter_t *iter, unsigned char *pmore,
         * int *prval)}.
         */
        public static native void rados_read_op_omap_get_vals2(long op, String startAfter, String filterPrefix,
                long maxReturn, long[] iterator, long moreAddress, long resultAddress);

        /**
         * {@code int rados_aio_read_op_operate(rados_read_op_t read_op, rados_ioctx_t io,
         * rados_completion_t completion, const char *oid, int flags)}.
         */
        public static native int rados_aio_read_op_operate(long op, long ioctx, long completion, String oid,
                int flags);

        /**
         * {@code int rados_omap_get_next2(rados_omap_iter_t iter, char **key, char **val, size_t *key_len,
         * size_t *val_len)}: the key and value stay valid until {@code rados_omap_get_end}; a null key ends.
         */
        public static native int rados_omap_get_next2(long iterator, long[] key, long[] value, long[] keyLength,
                long[] valueLength);

        /** {@code void rados_omap_get_end(rados_omap_iter_t iter)}. */
        public static native void rados_omap_get_end(long iterator);

        /**
         * {@code int rados_watch2(rados_ioctx_t io, const char *o, uint64_t *cookie, rados_watchcb2_t watchcb,
         * rados_watcherrcb_t watcherrcb, void *arg)}.
         */
        public static native int rados_watch2(long ioctx, String oid, long[] cookie, WatchCallback callback,
                WatchErrorCallback errorCallback, long arg);

        /** {@code int rados_unwatch2(rados_ioctx_t io, uint64_t cookie)}. */
        public static native int rados_unwatch2(long ioctx, long cookie);

        /** {@code int rados_watch_flush(rados_t cluster)}: returns once no watch callback runs or is queued. */
        public static native int rados_watch_flush(long cluster);

        /**
         * {@code int rados_aio_notify(rados_ioctx_t io, const char *o, rados_completion_t completion,
         * const char *buf, int buf_len, uint64_t timeout_ms, char **reply_buffer, size_t *reply_buffer_len)}: the
         * payload is copied during the call; the reply's address and length are written when it completes (also on
         * {@code -ETIMEDOUT}), and the reply is freed with {@code rados_buffer_free}.
         */
        public static native int rados_aio_notify(long ioctx, String oid, long completion, byte[] buffer, int length,
                long timeoutMillis, long replyAddress, long replyLengthAddress);

        /**
         * {@code int rados_notify_ack(rados_ioctx_t io, const char *o, uint64_t notify_id, uint64_t cookie,
         * const char *buf, int buf_len)}: sends the acknowledgement without waiting for it.
         */
        public static native int rados_notify_ack(long ioctx, String oid, long notifyId, long cookie, byte[] buffer,
                int length);
    }

    /** librbd: the image and its asynchronous I/O. */
    public static final class Rbd {
        private Rbd() {
        }

        /** {@code int rbd_open(rados_ioctx_t io, const char *name, rbd_image_t *image, const char *snap)}. */
        public static native int rbd_open(long ioctx, String name, long[] image, String snapshot);

        /** {@code int rbd_open_read_only(rados_ioctx_t io, const char *name, rbd_image_t *image, const char *snap)}. */
        public static native int rbd_open_read_only(long ioctx, String name, long[] image, String snapshot);

        /** {@code int rbd_close(rbd_image_t image)}. */
        public static native int rbd_close(long image);

        /** {@code int rbd_get_size(rbd_image_t image, uint64_t *size)}. */
        public static native int rbd_get_size(long image, long[] size);

        /** {@code int rbd_get_features(rbd_image_t image, uint64_t *features)}. */
        public static native int rbd_get_features(long image, long[] features);

        /** {@code int rbd_get_id(rbd_image_t image, char *id, size_t id_len)}. */
        public static native int rbd_get_id(long image, byte[] id, long length);

        /** {@code int rbd_aio_create_completion(void *cb_arg, rbd_callback_t complete_cb, rbd_completion_t *c)}. */
        public static native int rbd_aio_create_completion(long arg, CompletionCallback callback, long[] completion);

        /** {@code ssize_t rbd_aio_get_return_value(rbd_completion_t c)}. */
        public static native long rbd_aio_get_return_value(long completion);

        /** {@code void rbd_aio_release(rbd_completion_t c)}. */
        public static native void rbd_aio_release(long completion);

        /** {@code int rbd_aio_read(rbd_image_t image, uint64_t off, size_t len, char *buf, rbd_completion_t c)}. */
        public static native int rbd_aio_read(long image, long offset, long length, long buffer, long completion);

        /** {@code int rbd_aio_write(rbd_image_t image, uint64_t off, size_t len, const char *buf, rbd_completion_t c)}. */
        public static native int rbd_aio_write(long image, long offset, long length, long buffer, long completion);

        /** {@code int rbd_aio_flush(rbd_image_t image, rbd_completion_t c)}. */
        public static native int rbd_aio_flush(long image, long completion);

        /**
         * {@code int rbd_aio_write_zeroes(rbd_image_t image, uint64_t off, size_t len, rbd_completion_t c,
         * int zero_flags, int op_flags)}.
         */
        public static native int rbd_aio_write_zeroes(long image, long offset, long length, long completion,
                int zeroFlags, int opFlags);

        /**
         * {@code int rbd_aio_writesame(rbd_image_t image, uint64_t off, size_t len, const char *buf, size_t data_len,
         * rbd_completion_t c, int op_flags)}.
         */
        public static native int rbd_aio_writesame(long image, long offset, long length, long buffer, long dataLength,
                long completion, int opFlags);

        /**
         * {@code ssize_t rbd_aio_compare_and_write(rbd_image_t image, uint64_t off, size_t len, const char *cmp_buf,
         * const char *buf, rbd_completion_t c, uint64_t *mismatch_off, int op_flags)}; {@code mismatchOffset} is the
         * address of a {@code uint64_t} that must stay valid until the completion.
         */
        public static native long rbd_aio_compare_and_write(long image, long offset, long length, long compare,
                long buffer, long completion, long mismatchOffset, int opFlags);

        /** {@code int rbd_update_watch(rbd_image_t image, uint64_t *handle, rbd_update_callback_t cb, void *arg)}. */
        public static native int rbd_update_watch(long image, long[] handle, UpdateCallback callback, long arg);

        /** {@code int rbd_update_unwatch(rbd_image_t image, uint64_t handle)}. */
        public static native int rbd_update_unwatch(long image, long handle);

        /**
         * {@code int rbd_diff_iterate2(rbd_image_t image, const char *fromsnapname, uint64_t ofs, uint64_t len,
         * uint8_t include_parent, uint8_t whole_object, int (*cb)(uint64_t, size_t, int, void *), void *arg)}.
         */
        public static native int rbd_diff_iterate2(long image, String fromSnapshot, long offset, long length,
                byte includeParent, byte wholeObject, DiffCallback callback, long arg);
    }
}
