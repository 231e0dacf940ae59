import CLibbpf
import Foundation
import Glibc

/// A memory cgroup this process can create a child of, move itself into and read: cgroup v2's
/// memory controller when the unified hierarchy has it, else cgroup v1's memory controller
/// (the memcg is the same kernel object; v1 also shows the kernel-memory counter). Used to see
/// who is charged for a BPF allocator's memory: the kernel charges bpf_mem_alloc's objects to
/// the memcg of the task that created the allocator (`get_obj_cgroup_from_current` at init,
/// `set_active_memcg` around every refill), whoever later allocates.
public struct CgroupMemory: Sendable {
    public enum Version: String, Sendable { case v2 = "cgroup v2", v1 = "cgroup v1" }
    public let version: Version
    /// The directory whose child the probe creates.
    public let parent: String

    /// Finds a usable memory controller from a mount table (/proc/self/mountinfo format) and
    /// this process's cgroup file (/proc/self/cgroup format); the reason when there is none.
    public static func discover(mountinfo: String, procCgroup: String, root: String = "") -> Result<CgroupMemory, KernelUnavailable> {
        var v2Mount: String?
        var v1Mount: String?
        for line in mountinfo.split(separator: "\n") {
            // ... mount point is field 5; after " - " come fstype, source, super options.
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { continue }
            let left = halves[0].split(separator: " "), right = halves[1].split(separator: " ")
            guard left.count >= 5, right.count >= 3 else { continue }
            let mountPoint = String(left[4])
            if right[0] == "cgroup2" { v2Mount = v2Mount ?? mountPoint }
            if right[0] == "cgroup", right[2].split(separator: ",").contains("memory") { v1Mount = v1Mount ?? mountPoint }
        }
        var v2Path: String?, v1Path: String?
        for line in procCgroup.split(separator: "\n") {
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3 else { continue }
            if f[0] == "0" && f[1].isEmpty { v2Path = String(f[2]) }
            if f[1].split(separator: ",").contains("memory") { v1Path = String(f[2]) }
        }
        if let m = v2Mount {
            let controllers = (try? String(contentsOfFile: root + m + "/cgroup.controllers", encoding: .utf8)) ?? ""
            if controllers.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("memory") {
                // A child of the root: the root is exempt from "no internal processes", so its
                // subtree_control can enable memory while processes live in it.
                _ = v2Path
                return .success(CgroupMemory(version: .v2, parent: root + m))
            }
        }
        if let m = v1Mount, let p = v1Path {
            return .success(CgroupMemory(version: .v1, parent: root + m + (p == "/" ? "" : p)))
        }
        let why = v2Mount != nil ? "cgroup v2 is mounted at \(v2Mount!) without the memory controller, and no cgroup v1 memory hierarchy"
            : "no cgroup v2 mount and no cgroup v1 memory hierarchy in /proc/self/mountinfo"
        return .failure(KernelUnavailable(reason: "no memory cgroup controller", note: why))
    }

    /// The machine's controller.
    public static func current() -> Result<CgroupMemory, KernelUnavailable> {
        func read(_ p: String) -> String {
            guard let f = fopen(p, "r") else { return "" }
            defer { fclose(f) }
            var out = "", buffer: UnsafeMutablePointer<CChar>?, cap = 0
            defer { free(buffer) }
            while getline(&buffer, &cap, f) > 0, let buffer { out += String(cString: buffer) }
            return out
        }
        return discover(mountinfo: read("/proc/self/mountinfo"), procCgroup: read("/proc/self/cgroup"))
    }

    /// What a memcg has been charged, in bytes.
    public struct Charge: Sendable, Equatable {
        /// memory.current (v2) or memory.usage_in_bytes (v1): everything charged.
        public var total: Int
        /// Kernel memory: memory.stat `kernel` (v2) or memory.kmem.usage_in_bytes (v1).
        public var kernel: Int?
        /// memory.stat `slab` and `percpu` (v2 only).
        public var slab: Int?
        public var percpu: Int?

        public static func - (a: Charge, b: Charge) -> Charge {
            func d(_ x: Int?, _ y: Int?) -> Int? { x.flatMap { x in y.map { x - $0 } } }
            return Charge(total: a.total - b.total, kernel: d(a.kernel, b.kernel), slab: d(a.slab, b.slab), percpu: d(a.percpu, b.percpu))
        }
    }

    /// A child cgroup for one probe, removed by `remove()`.
    public final class Child: @unchecked Sendable {
        public let path: String
        public let version: Version
        let home: String
        /// This process's parent of every child: removed with its last child.
        let runDirectory: String

        init(path: String, version: Version, home: String, runDirectory: String) {
            self.path = path
            self.version = version
            self.home = home
            self.runDirectory = runDirectory
        }

        /// Moves the calling task into the child: charges follow it from then on; earlier
        /// charges stay where they were (v2 never moves them, v1's move_charge_at_immigrate is 0
        /// by default). cgroup v1 moves the calling thread alone (`tasks`), so other threads of
        /// the process (parallel tests) are not charged to the child; v2's memory controller is
        /// not threaded, so there the whole process moves (`cgroup.procs`).
        public func enter() throws(KernelUnavailable) { try move(to: path) }
        /// Moves the task back to the cgroup it came from.
        public func leave() throws(KernelUnavailable) { try move(to: home) }

        private func move(to dir: String) throws(KernelUnavailable) {
            switch version {
            case .v1: try CgroupMemory.write("\(CLibbpf_gettid())", to: dir + "/tasks")
            case .v2: try CgroupMemory.write("\(getpid())", to: dir + "/cgroup.procs")
            }
        }

        public func charge() throws(KernelUnavailable) -> Charge {
            switch version {
            case .v2:
                let stat = CgroupMemory.stat(path + "/memory.stat")
                return Charge(total: try CgroupMemory.number(path + "/memory.current"), kernel: stat["kernel"],
                              slab: stat["slab"], percpu: stat["percpu"])
            case .v1:
                return Charge(total: try CgroupMemory.number(path + "/memory.usage_in_bytes"),
                              kernel: try? CgroupMemory.number(path + "/memory.kmem.usage_in_bytes"), slab: nil, percpu: nil)
            }
        }

        /// Leaves (if inside) and removes the directory. Memory still charged keeps the memcg
        /// alive offline until it is freed; the directory goes at once.
        public func remove() {
            // Under the lock: on v2 leaving moves the whole process, which must not happen while
            // another thread's probe is inside its own child.
            CgroupMemory.probeLock.lock()
            defer { CgroupMemory.probeLock.unlock() }
            guard !removed else { return }
            removed = true
            try? leave()
            rmdir(path)
            CgroupMemory.liveChildren -= 1
            if CgroupMemory.liveChildren == 0 { rmdir(runDirectory) }
        }

        /// Set by the first `remove()` (under `probeLock`).
        private var removed = false
    }

    nonisolated(unsafe) private static var serial = 0
    /// Children of this process not yet removed (under `probeLock`).
    nonisolated(unsafe) static var liveChildren = 0

    /// Held by every probe from entering a child to reading its last counter: two probes of
    /// one process (parallel tests) must not move it or charge each other's child.
    public static let probeLock = NSLock()

    /// The prefix of every cgroup this tool creates: `memalloc-bench-<pid>` is one process's.
    public static let namePrefix = "memalloc-bench-"

    /// The directory holding this process's children: one per process, named with its pid, so a
    /// run killed before it could clean up is found (and removed) by the next one.
    public var runDirectory: String { "\(parent)/\(Self.namePrefix)\(getpid())" }

    /// Creates a new, empty child cgroup of this process's run directory (never an existing
    /// one: an earlier probe's memory may still be uncharged from it).
    public func makeChild(tag: String) throws(KernelUnavailable) -> Child {
        Self.probeLock.lock()
        defer { Self.probeLock.unlock() }
        let run = runDirectory
        if version == .v2 { try Self.enableMemory(in: parent) }
        if mkdir(run, 0o755) != 0 && errno != EEXIST {
            throw KernelUnavailable(reason: "cannot create a child cgroup", note: "mkdir \(run): \(String(cString: strerror(errno)))")
        }
        if version == .v2 {
            do { try Self.enableMemory(in: run) } catch {
                if Self.liveChildren == 0 { rmdir(run) }
                throw error
            }
        }
        Self.serial += 1
        let path = "\(run)/\(tag)-\(Self.serial)"
        guard mkdir(path, 0o755) == 0 else {
            let e = String(cString: strerror(errno))
            if Self.liveChildren == 0 { rmdir(run) }
            throw KernelUnavailable(reason: "cannot create a child cgroup", note: "mkdir \(path): \(e)")
        }
        Self.liveChildren += 1
        return Child(path: path, version: version, home: homeDirectory(), runDirectory: run)
    }

    /// Where /proc/self/cgroup says this process lives, in this controller's tree.
    private func homeDirectory() -> String {
        switch version {
        case .v2:
            let text = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
            let rel = text.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) } ?? "/"
            return parent + (rel == "/" ? "" : rel)
        case .v1:
            return parent
        }
    }

    /// cgroup v2: the memory controller enabled for the children of `directory`.
    private static func enableMemory(in directory: String) throws(KernelUnavailable) {
        let control = (try? String(contentsOfFile: directory + "/cgroup.subtree_control", encoding: .utf8)) ?? ""
        if !control.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("memory") {
            try write("+memory", to: directory + "/cgroup.subtree_control")
        }
    }

    static func write(_ text: String, to path: String) throws(KernelUnavailable) {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else {
            throw KernelUnavailable(reason: "cgroup not writable", note: "open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let n = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        guard n >= 0 else {
            throw KernelUnavailable(reason: "cgroup not writable", note: "write '\(text)' to \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func number(_ path: String) throws(KernelUnavailable) -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let n = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw KernelUnavailable(reason: "cgroup counter unreadable", note: "cannot read \(path)")
        }
        return n
    }

    static func stat(_ path: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for line in ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 2, let n = Int(f[1]) { out[String(f[0])] = n }
        }
        return out
    }
}
