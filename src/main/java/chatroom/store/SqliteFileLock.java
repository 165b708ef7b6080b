package chatroom.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a second process from opening a SQLite file a store has open. Two servers on one file would each
 * number messages correctly, but each would deliver live only to its own members, silently splitting every
 * room in two. The lock is an OS lock on {@code <db>.lock} held for the store's life and released by the
 * kernel when the process dies, even by kill -9, so a crash never leaves a stale lock behind. A separate
 * file, because SQLite keeps its own POSIX locks on the database file and closing any other descriptor of
 * that file would drop them. The file holds the holder's pid, for the error message only; it is never
 * deleted, since a process could otherwise lock a file that is about to disappear. {@link #keepServersOff} is
 * the other side, for a backup about to replace a file: a shared lock that conflicts with a server's.
 */
final class SqliteFileLock implements AutoCloseable {

    /**
     * The lock files this process holds, by real path. Looking whether a server has one open means opening a
     * second descriptor of it, and closing that descriptor would drop this process's own lock on it.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path lockFile;
    private final Path heldAs;
    private final FileChannel channel;
    private final FileLock lock;

    private SqliteFileLock(Path lockFile, Path heldAs, FileChannel channel, FileLock lock) {
        this.lockFile = lockFile;
        this.heldAs = heldAs;
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
            Path heldAs = lockFile.toRealPath();
            HELD.add(heldAs);
            return new SqliteFileLock(lockFile, heldAs, channel, lock);
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

    /**
     * Keeps servers off {@code dbFile} until closed, for a backup about to replace it: a shared lock on its lock
     * file, which conflicts with the one a server holds for as long as it has the file open, so none can be
     * using it now or open it meanwhile. A file without a lock file has never been opened by a server, and is
     * left as it is rather than given one.
     *
     * @throws StoreException naming the file and the holder when a server has it open
     */
    static Closeable keepServersOff(Path dbFile) {
        Path lockFile = dbFile.resolveSibling(dbFile.getFileName() + ".lock");
        if (!Files.exists(lockFile)) return () -> {};
        try {
            if (HELD.contains(lockFile.toRealPath())) throw inUse(dbFile, "this process", lockFile);
        } catch (IOException e) {
            return () -> {}; // it went away: no server holds it
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StoreException(dbFile.toAbsolutePath() + ": cannot read its lock file " + lockFile
                    + " to see whether a server has it open (" + e.getMessage() + "); refused");
        }
        try {
            FileLock shared;
            try {
                shared = channel.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException e) {
                throw inUse(dbFile, "this process", lockFile); // another backup here holds it
            }
            if (shared == null) throw inUse(dbFile, holder(channel), lockFile);
            return channel; // closing the channel releases the lock
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            if (e instanceof StoreException store) throw store;
            throw new StoreException(dbFile.toAbsolutePath() + ": cannot lock " + lockFile + " to see whether a"
                    + " server has it open (" + e.getMessage() + "); refused", e);
        }
    }

    private static StoreException inUse(Path dbFile, String holder, Path lockFile) {
        return new StoreException(dbFile.toAbsolutePath() + " is open in a server (" + holder + ", holding "
                + lockFile.toAbsolutePath() + "): replacing a database in use would destroy it; refused, give a"
                + " file no server uses");
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
        HELD.remove(heldAs);
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
