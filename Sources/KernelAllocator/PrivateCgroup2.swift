import Foundation
import Glibc

/// A controller-less cgroup2 hierarchy mounted at a directory of this process's own
/// (`/tmp/memalloc-bench-cgroup2-<pid>-<n>`), holding one run directory
/// (`memalloc-bench-<pid>`, the name `CgroupMemory.removeLeftovers` knows). Its children have a
/// `self` css whose `refcnt` is a real `percpu_ref` (the root's is CSS_NO_REF). cgroup2 has one
/// hierarchy however often it is mounted, so the run directory keeps our children apart from
/// anyone else's. `close()` removes everything; a process killed outright leaves the mount,
/// which `removeLeftovers()` undoes in a later run.
public final class PrivateCgroup2: @unchecked Sendable {
    public let mountPoint: String
    public var runDirectory: String { "\(mountPoint)/\(CgroupMemory.namePrefix)\(getpid())" }
    private var mounted = true
    private var serial = 0

    static let mountPrefix = "/tmp/memalloc-bench-cgroup2-"
    nonisolated(unsafe) private static var mounts = 0
    private static let lock = NSLock()

    /// Mounts the hierarchy and creates the run directory. `filesystem` is for tests of the
    /// n/a path (a type the kernel does not know).
    public init(filesystem: String = "cgroup2") throws(KernelUnavailable) {
        Self.lock.lock()
        Self.mounts += 1
        let n = Self.mounts
        Self.lock.unlock()
        mountPoint = "\(Self.mountPrefix)\(getpid())-\(n)"
        _ = Self.removeLeftovers()
        guard mkdir(mountPoint, 0o700) == 0 || errno == EEXIST else {
            throw KernelUnavailable(reason: "no cgroup2 mount point", note: "mkdir \(mountPoint): \(String(cString: strerror(errno)))")
        }
        guard mount("none", mountPoint, filesystem, 0, nil) == 0 else {
            let e = errno
            rmdir(mountPoint)
            throw KernelUnavailable(reason: "no cgroup2", note: "mount -t \(filesystem) at \(mountPoint) failed: \(String(cString: strerror(e)))")
        }
        // cgroup2's one hierarchy may hold run directories of killed runs seen through another mount.
        _ = CgroupMemory(version: .v2, parent: mountPoint).removeLeftovers()
        guard mkdir(runDirectory, 0o755) == 0 || errno == EEXIST else {
            let e = errno
            close()
            throw KernelUnavailable(reason: "cgroup2 not writable", note: "mkdir \(runDirectory): \(String(cString: strerror(e)))")
        }
    }

    /// A new child cgroup: its directory and id (the directory's inode number is the cgroup id).
    public func makeChild() throws(KernelCaseFailure) -> CgroupChild {
        serial += 1
        let path = "\(runDirectory)/ref-\(serial)"
        guard mkdir(path, 0o755) == 0 else { throw KernelCaseFailure("mkdir \(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard stat(path, &st) == 0 else { throw KernelCaseFailure("stat \(path): \(String(cString: strerror(errno)))") }
        return CgroupChild(path: path, id: UInt64(st.st_ino))
    }

    /// The run directory's `nr_dying_descendants` (cgroup.stat): removed children whose css is
    /// still referenced. It returns to 0 once their release has run.
    public func dyingDescendants() -> Int? {
        guard let text = try? String(contentsOfFile: runDirectory + "/cgroup.stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("nr_dying_descendants ") {
            return Int(line.split(separator: " ")[1])
        }
        return nil
    }

    /// Removes the children left, the run directory, the mount and its directory. Idempotent.
    public func close() {
        guard mounted else { return }
        for child in CgroupMemory.subdirectories(of: runDirectory) { rmdir("\(runDirectory)/\(child)") }
        rmdir(runDirectory)
        // A lazy detach: a dying child still referenced keeps the superblock, not the mount.
        umount2(mountPoint, Int32(MNT_DETACH))
        rmdir(mountPoint)
        mounted = false
    }

    deinit { close() }

    /// Mounts of this tool whose process is gone (killed by SIGKILL or a second ^C): their run
    /// directories, the mount and its directory are removed. Returns the mount points removed.
    public static func removeLeftovers(mountinfo: String? = nil) -> [String] {
        let table = mountinfo ?? ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "")
        var removed: [String] = []
        for point in mountPoints(in: table) {
            guard let pid = ownerPID(ofMountPoint: point), pid != getpid(), kill(pid, 0) != 0 && errno == ESRCH else { continue }
            _ = CgroupMemory(version: .v2, parent: point).removeLeftovers()
            umount2(point, Int32(MNT_DETACH))
            rmdir(point)
            removed.append(point)
        }
        return removed
    }

    /// Mount points of this tool's cgroup2 mounts in a /proc/self/mountinfo text.
    public static func mountPoints(in mountinfo: String) -> [String] {
        mountinfo.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 5, fields[4].hasPrefix(mountPrefix) else { return nil }
            return String(fields[4])
        }
    }

    /// The pid in `/tmp/memalloc-bench-cgroup2-<pid>-<n>`, or nil.
    static func ownerPID(ofMountPoint point: String) -> pid_t? {
        guard point.hasPrefix(mountPrefix) else { return nil }
        let fields = point.dropFirst(mountPrefix.count).split(separator: "-")
        guard fields.count == 2, let pid = pid_t(fields[0]), pid > 0, Int(fields[1]) != nil else { return nil }
        return pid
    }
}

/// One child cgroup of a `PrivateCgroup2`.
public struct CgroupChild: Sendable, Equatable {
    public let path: String
    /// The cgroup id: what `bpf_cgroup_from_id` takes.
    public let id: UInt64

    /// `rmdir`: `cgroup_destroy_locked`, which kills the `self` css's percpu_ref. Returns the
    /// time the caller paid, in ns.
    public func remove() throws(KernelCaseFailure) -> Int {
        let t0 = monotonicNanoseconds()
        guard rmdir(path) == 0 else { throw KernelCaseFailure("rmdir \(path): \(String(cString: strerror(errno)))") }
        return monotonicNanoseconds() - t0
    }

    public var exists: Bool { access(path, F_OK) == 0 }
}
