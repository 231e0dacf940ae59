import Glibc

/// Writes the result files of a run so a reader never sees a partial file or a partial set:
/// every file first goes to a temporary in the same directory (fsync'ed), and only when all are
/// written are they published, each under a name that must not exist yet (a hard link, which
/// fails rather than replaces). If any step fails, what this call published and every temporary
/// are removed: the set appears whole or not at all, and an existing file is never replaced.
public enum AtomicFileWriter {
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let errno: Int32
        public var description: String {
            errno == EEXIST ? "cannot write \(path): it already exists (result files are never replaced)"
                : "cannot write \(path): \(String(cString: strerror(errno)))"
        }
    }

    /// The marker in every temporary's name: `.<name>.memalloc-bench-tmp.<pid>.<token>`.
    static let temporaryMarker = ".memalloc-bench-tmp."

    /// The temporary of `path` written by process `pid`: hidden, named after this tool, the pid
    /// and a random 64-bit token, so no name a user would choose is ever taken for one of ours.
    static func temporaryPath(for path: String, pid: pid_t = getpid(), token: UInt64 = UInt64.random(in: .min ... .max)) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let hex = String(token, radix: 16)
        return "\(directory).\(name)\(temporaryMarker)\(pid).\(String(repeating: "0", count: 16 - hex.count))\(hex)"
    }

    /// Checks up front that `directory` exists (creating it) and is writable, and removes the
    /// temporaries that processes no longer alive left there (a SIGKILL mid-write).
    public static func prepare(directory: String) throws {
        var st = stat()
        if stat(directory, &st) != 0 {
            // EEXIST: another run started at the same moment created it first, which is fine.
            if mkdir(directory, 0o755) != 0 && Glibc.errno != EEXIST { throw Failure(path: directory, errno: Glibc.errno) }
            if stat(directory, &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR { throw Failure(path: directory, errno: ENOTDIR) }
        } else if (st.st_mode & S_IFMT) != S_IFDIR {
            throw Failure(path: directory, errno: ENOTDIR)
        }
        if access(directory, W_OK) != 0 { throw Failure(path: directory, errno: Glibc.errno) }
        removeStaleTemporaries(in: directory)
    }

    /// Unlinks the temporaries this tool's processes left when they died mid-write (SIGKILL):
    /// only names `temporaryPath` makes, only regular files of this user, only when their pid is
    /// gone. A live pid's temporaries are left alone: they belong to a run still writing (or to
    /// an unrelated process reusing the pid, whose files are none of ours to judge). Every other
    /// file is the user's and is never touched.
    public static func removeStaleTemporaries(in directory: String) {
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard let pid = stalePID(ofTemporary: name) else { continue }
            let path = directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == geteuid() else { continue }
            if kill(pid, 0) != 0 && Glibc.errno == ESRCH { unlink(path) }
        }
    }

    /// The pid in a temporary's name `.<name>.memalloc-bench-tmp.<pid>.<16 hex digits>`, or nil
    /// for any other name.
    static func stalePID(ofTemporary name: String) -> pid_t? {
        // "", the name's own parts, "memalloc-bench-tmp", pid, token.
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        func digits(_ s: Substring, _ set: String) -> Bool { !s.isEmpty && s.allSatisfy { set.contains($0) } }
        guard parts.count >= 5, parts[0].isEmpty, parts[1...].dropLast(3).contains(where: { !$0.isEmpty }),
              "." + parts[parts.count - 3] + "." == temporaryMarker, digits(parts[parts.count - 2], "0123456789"),
              parts[parts.count - 1].count == 16, digits(parts[parts.count - 1], "0123456789abcdef"),
              let pid = pid_t(parts[parts.count - 2]), pid > 0 else { return nil }
        return pid
    }

    /// Writes every (path, contents) pair, all or nothing; SIGINT, SIGTERM and SIGHUP wait until
    /// the set is complete or removed.
    public static func write(_ files: [(path: String, contents: String)]) throws {
        var seen = Set<String>()
        for (path, _) in files where !seen.insert(path).inserted { throw Failure(path: path, errno: EEXIST) }
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&blocked, s) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }

        var temps: [(tmp: String, path: String)] = []
        var published: [String] = []
        do {
            for (path, contents) in files {
                let tmp = temporaryPath(for: path)
                try writeFile(tmp, contents)
                temps.append((tmp, path))
            }
            for (tmp, path) in temps {
                try publish(tmp, as: path)
                published.append(path)
            }
            for (tmp, _) in temps { unlink(tmp) }
        } catch {
            for path in published { unlink(path) }
            for (tmp, _) in temps { unlink(tmp) }
            throw error
        }
        if let first = files.first { syncDirectory(of: first.path) }
    }

    /// Writes `contents` as `<stem>.<extension>` in `directory`, or, when that name is taken,
    /// as `<stem>-2.<extension>`, `<stem>-3.<extension>`…: the first free name. Never replaces a
    /// file. Returns the path written.
    public static func writeNew(_ contents: String, directory: String, stem: String, extension ext: String) throws -> String {
        for n in 1...10_000 {
            let path = "\(directory)/\(stem)\(n == 1 ? "" : "-\(n)").\(ext)"
            do {
                try write([(path, contents)])
                return path
            } catch let e as Failure where e.errno == EEXIST {
                continue
            }
        }
        throw Failure(path: "\(directory)/\(stem).\(ext)", errno: EEXIST)
    }

    /// Gives `tmp` the name `path` unless `path` exists. A hard link fails with EEXIST instead of
    /// replacing; on a filesystem without hard links, rename after checking (not atomic there).
    private static func publish(_ tmp: String, as path: String) throws {
        if link(tmp, path) == 0 { return }
        let e = Glibc.errno
        guard e == EPERM || e == EOPNOTSUPP || e == EMLINK else { throw Failure(path: path, errno: e) }
        if access(path, F_OK) == 0 { throw Failure(path: path, errno: EEXIST) }
        if rename(tmp, path) != 0 { throw Failure(path: path, errno: Glibc.errno) }
    }

    private static func syncDirectory(of path: String) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func writeFile(_ path: String, _ contents: String) throws {
        // O_EXCL: the random token makes a clash with any existing file a failure, never a replacement.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
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
