package io.churnducks.jobs.io;

import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Hadoop's local file system ({@code file://}) with permissions set through {@code java.nio}.
 * Without Hadoop's native library, the stock one starts a {@code chmod} process for every file and
 * folder it creates, which makes a partitioned write to a local warehouse (hundreds of event-date
 * folders) spend most of its time forking. Checksums and everything else are Hadoop's own.
 * Installed as {@code fs.file.impl} by {@link SparkSessions}; clusters writing to HDFS or an object
 * store never use it.
 */
public final class LocalFileSystemWithoutForks extends LocalFileSystem {

  public LocalFileSystemWithoutForks() {
    super(new Raw());
  }

  /** The raw (checksum-free) layer whose permission calls stay in the JVM. */
  static final class Raw extends RawLocalFileSystem {
    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      java.nio.file.Path file = pathToFile(p).toPath();
      if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        super.setPermission(p, permission);
        return;
      }
      Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
      int mode = permission.toShort();
      for (int bit = 0; bit < BITS.length; bit++) {
        if ((mode & (1 << bit)) != 0) {
          set.add(BITS[bit]);
        }
      }
      Files.setPosixFilePermissions(file, set);
    }
  }
}
