package io.iscsi4j.backstore;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Identities of stock backstores: a random one for storage that lives as long as its object (memory), and one kept in
 * a small file next to a file backstore's image, so that the image keeps its identity across restarts while every
 * other image, here or on another machine, has its own.
 *
 * <p>The identity file of {@code disk.img} is {@code disk.img.iscsi4j-id}: 32 lowercase hexadecimal digits (a
 * random UUID) and a newline. It is created when missing: written to a temporary file in the same directory, forced,
 * linked (or, where the file system has no hard links, atomically moved) to its name, and the directory forced, so
 * two processes opening the image at once agree on one identity and a crash leaves either no file or a whole one. A
 * file that does not hold such an identity is an {@link IOException} naming it, never silently replaced: a changed
 * identity makes initiators take the image for another disk.
 */
final class Identity {

    /** What follows the image's file name in the name of its identity file. */
    static final String SUFFIX = ".iscsi4j-id";
    private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");
    /** More than an identity file ever holds; a larger file is not one. */
    private static final int MAX_BYTES = 64;
    private static final System.Logger LOG = System.getLogger(Identity.class.getName());

    private Identity() {
    }

    /** {@return a new random serial: 32 lowercase hexadecimal digits} */
    static String random() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** {@return the identity file of the image at {@code image}} */
    static Path fileOf(Path image) {
        Path name = image.getFileName();
        if (name == null) {
            throw new IllegalArgumentException("not a file path: " + image);
        }
        return image.resolveSibling(name + SUFFIX);
    }

    /**
     * The identity of the image at {@code image}: read from its identity file, which is created when missing.
     *
     * @return the serial, or {@code null} when the identity file is missing and cannot be created (a read-only
     *         directory or file system; logged at WARN)
     * @throws IOException when the identity file exists but cannot be read or does not hold an identity
     */
    static String ofFile(Path image, FileBackstore.Forcer forcer) throws IOException {
        Path file = fileOf(image);
        String existing = read(file);
        if (existing != null) {
            return existing;
        }
        String created = random();
        try {
            create(file, created, forcer);
        } catch (FileAlreadyExistsException e) {
            // Another process created it first: its identity is the image's.
            String theirs = read(file);
            if (theirs == null) {
                throw new IOException("identity file " + file + " appeared and vanished while opening " + image, e);
            }
            return theirs;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.WARNING, () -> "cannot create the identity file " + file + " (" + e
                    + "): the LUN over " + image + " gets a new serial number on every start; make the directory"
                    + " writable, or set the serial with LunBuilder.serial");
            return null;
        }
        String onDisk = read(file); // what a racing opener on a file system without hard links may have put there
        return onDisk != null ? onDisk : created;
    }

    /** The identity in {@code file}, or {@code null} when there is no such file. */
    private static String read(Path file) throws IOException {
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(MAX_BYTES + 1);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // until the end or more than an identity file holds
            }
            bytes = new byte[b.position()];
            b.flip().get(bytes);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new IOException("cannot read the identity file " + file + ": " + e, e);
        }
        String text = bytes.length > MAX_BYTES ? "" : new String(bytes, StandardCharsets.US_ASCII).strip();
        if (!HEX32.matcher(text).matches()) {
            throw new IOException("identity file " + file + " is damaged (" + bytes.length + " bytes, expected 32"
                    + " hexadecimal digits and a newline); restore it from a backup to keep the device's identity,"
                    + " or delete it to give the image a new one");
        }
        return text;
    }

    /** Creates {@code file} holding {@code serial}, atomically; {@link FileAlreadyExistsException} when it exists. */
    private static void create(Path file, String serial, FileBackstore.Forcer forcer) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + random());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                ByteBuffer b = ByteBuffer.wrap((serial + "\n").getBytes(StandardCharsets.US_ASCII));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                forcer.force(tmp, ch, true);
            }
            try {
                Files.createLink(file, tmp); // fails when the name exists: the first creator wins
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (UnsupportedOperationException | IOException e) {
                // File systems without hard links (FAT, some network file systems): an atomic move instead. A rename
                // replaces an existing name, so two openers racing here could both write; ofFile reads the file back
                // and serves what is on disk, which narrows that window to the two renames but does not close it.
                if (Files.exists(file)) {
                    throw new FileAlreadyExistsException(file.toString());
                }
                moveIntoPlace(tmp, file);
            }
            FileBackstore.forceParentDirectory(file, forcer);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void moveIntoPlace(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file);
        }
    }
}
