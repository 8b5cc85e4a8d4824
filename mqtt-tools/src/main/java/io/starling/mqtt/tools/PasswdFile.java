package io.starling.mqtt.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * Writes a password file whole and atomically: the new text goes to {@code <file>.tmp}, is flushed to
 * disk, and is then moved over the file, so a reader (a broker reloading) sees the old file or the
 * new one, never half of one. Mosquitto_passwd instead rewrites the file in place.
 *
 * <p>A new file is readable by its owner only ({@code rw-------}). A replaced file keeps its
 * permissions, owner and group (a broker running as another user may read it through its group). When
 * the owner or group can't be given to the new file, or the directory is not writable, the file is
 * rewritten in place instead, as mosquitto_passwd does. A symbolic link is followed, and its target
 * replaced.
 */
final class PasswdFile {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private PasswdFile() {
    }

    static void write(Path file, List<String> lines) throws IOException {
        byte[] content = text(lines);
        boolean exists = Files.exists(file);
        Path target = exists ? file.toRealPath() : file.toAbsolutePath();
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        boolean posix = Files.getFileStore(target.getParent()).supportsFileAttributeView(PosixFileAttributeView.class);
        PosixFileAttributes old = posix && exists ? Files.readAttributes(target, PosixFileAttributes.class) : null;
        try {
            Files.deleteIfExists(tmp);
            writeFully(tmp, content, posix, StandardOpenOption.CREATE_NEW);
        } catch (AccessDeniedException e) {
            if (!exists) {
                throw e;
            }
            writeInPlace(target, content); // the file is ours to write, its directory is not
            return;
        }
        try {
            if (old != null && !copyAttributes(old, tmp)) {
                writeInPlace(target, content);
                return;
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Mosquitto_passwd's way: truncate and rewrite, keeping the file's inode, owner and permissions. */
    private static void writeInPlace(Path target, byte[] content) throws IOException {
        writeFully(target, content, false, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static byte[] text(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void writeFully(Path path, byte[] content, boolean ownerOnly, OpenOption create)
            throws IOException {
        FileAttribute<?>[] attributes = ownerOnly
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        try (FileChannel channel = FileChannel.open(path, Set.of(create, StandardOpenOption.WRITE), attributes)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    /** @return false when the owner or group can't be kept */
    private static boolean copyAttributes(PosixFileAttributes old, Path tmp) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        PosixFileAttributes now = view.readAttributes();
        try {
            if (!now.group().equals(old.group())) {
                view.setGroup(old.group());
            }
            if (!now.owner().equals(old.owner())) {
                view.setOwner(old.owner());
            }
        } catch (IOException e) {
            return false;
        }
        view.setPermissions(old.permissions());
        return true;
    }
}
