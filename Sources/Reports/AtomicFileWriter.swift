import Glibc

/// Writes result files so a reader never sees a partial one: each goes to a temporary file in
/// the same directory, is fsync'ed, then renamed over the final name. If any write fails, the
/// temporaries are removed and no final file of the batch is created.
public enum AtomicFileWriter {
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let errno: Int32
        public var description: String { "cannot write \(path): \(String(cString: strerror(errno)))" }
    }

    /// Checks up front that `directory` exists (creating it) and is writable.
    public static func prepare(directory: String) throws {
        var st = stat()
        if stat(directory, &st) != 0 {
            if mkdir(directory, 0o755) != 0 { throw Failure(path: directory, errno: Glibc.errno) }
        } else if (st.st_mode & S_IFMT) != S_IFDIR {
            throw Failure(path: directory, errno: ENOTDIR)
        }
        if access(directory, W_OK) != 0 { throw Failure(path: directory, errno: Glibc.errno) }
    }

    /// Writes every (path, contents) pair, all or nothing.
    public static func write(_ files: [(path: String, contents: String)]) throws {
        var temps: [(String, String)] = []
        do {
            for (path, contents) in files {
                let tmp = "\(path).tmp.\(getpid())"
                try writeFile(tmp, contents)
                temps.append((tmp, path))
            }
            for (tmp, path) in temps where rename(tmp, path) != 0 { throw Failure(path: path, errno: Glibc.errno) }
        } catch {
            for (tmp, _) in temps { unlink(tmp) }
            throw error
        }
    }

    private static func writeFile(_ path: String, _ contents: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw Failure(path: path, errno: Glibc.errno) }
        defer { close(fd) }
        var bytes = Array(contents.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                let e = Glibc.errno
                unlink(path)
                throw Failure(path: path, errno: e)
            }
            off += n
        }
        if fsync(fd) != 0 { let e = Glibc.errno; unlink(path); throw Failure(path: path, errno: e) }
    }
}
