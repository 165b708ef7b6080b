package chatroom.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second process from opening a SQLite file a store has open. Two servers on one file would each
 * number messages correctly, but each would deliver live only to its own members, silently splitting every
 * room in two. The lock is an OS lock on {@code <db>.lock} held for the store's life and released by the
 * kernel when the process dies, even by kill -9, so a crash never leaves a stale lock behind. A separate
 * file, because SQLite keeps its own POSIX locks on the database file and closing any other descriptor of
 * that file would drop them. The file holds the holder's pid, for the error message only; it is never
 * deleted, since a process could otherwise lock a file that is about to disappear.
 */
final class SqliteFileLock implements AutoCloseable {

    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private SqliteFileLock(Path lockFile, FileChannel channel, FileLock lock) {
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code dbFile}, or throws naming the file and who holds it. */
    static SqliteFileLock acquire(Path dbFile) {
        Path lockFile = dbFile.resolveSibling(dbFile.getFileName() + ".lock");
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreException(dbFile + ": cannot open its lock file " + lockFile + ": " + e.getMessage(), e);
        }
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new StoreException(dbFile + " is already open in this process (" + lockFile + " is locked)");
            }
            if (lock == null) {
                throw new StoreException(dbFile + " is open in another process (" + holder(channel) + ", holding "
                        + lockFile + "); a second server on the same file would split every room. Stop the other "
                        + "server, or run several nodes on PostgreSQL");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(
                    ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new SqliteFileLock(lockFile, channel, lock);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            if (e instanceof StoreException store) throw store;
            throw new StoreException(dbFile + ": cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    /** What the holder wrote in the lock file ("pid 1234"), or a placeholder if it cannot be read. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer content = ByteBuffer.allocate(64);
            channel.read(content, 0);
            String text = new String(content.array(), 0, content.position(), StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? "pid unknown" : text;
        } catch (IOException e) {
            return "pid unknown";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "the lock on " + lockFile;
    }
}
