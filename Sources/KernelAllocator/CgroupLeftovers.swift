import Glibc

extension CgroupMemory {
    /// Removes the cgroups that runs of this tool left behind when they were killed (SIGKILL,
    /// or a second ^C, which exits at once): `memalloc-bench-<pid>` with its children, and the
    /// older flat `memalloc-bench-<tag>-<pid>-<n>`, whose process is gone. A live pid's cgroups
    /// are left alone. Returns the directories removed, for the run's note.
    public func removeLeftovers() -> [String] {
        guard let dir = opendir(parent) else { return [] }
        var names: [String] = []
        while let entry = readdir(dir) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) })
        }
        closedir(dir)
        var removed: [String] = []
        for name in names.sorted() {
            guard let pid = Self.ownerPID(ofCgroup: name), pid != getpid(), kill(pid, 0) != 0 && errno == ESRCH else { continue }
            let path = "\(parent)/\(name)"
            for child in Self.subdirectories(of: path) where rmdir("\(path)/\(child)") == 0 { removed.append("\(path)/\(child)") }
            if rmdir(path) == 0 { removed.append(path) }
        }
        return removed
    }

    /// The pid in the name of a cgroup this tool made (`memalloc-bench-<pid>` or
    /// `memalloc-bench-<tag>-<pid>-<n>`), or nil for any other name.
    static func ownerPID(ofCgroup name: String) -> pid_t? {
        guard name.hasPrefix(namePrefix) else { return nil }
        let fields = name.dropFirst(namePrefix.count).split(separator: "-", omittingEmptySubsequences: false)
        func number(_ s: Substring) -> pid_t? { s.allSatisfy(\.isASCII) && s.allSatisfy(\.isNumber) ? pid_t(s) : nil }
        if fields.count == 1 { return number(fields[0]).flatMap { $0 > 0 ? $0 : nil } }
        guard fields.count >= 3, number(fields[fields.count - 1]) != nil, let pid = number(fields[fields.count - 2]), pid > 0 else { return nil }
        return pid
    }

    /// The child cgroups of `path` (its subdirectories).
    static func subdirectories(of path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if entry.pointee.d_type == UInt8(DT_DIR) && name != "." && name != ".." { out.append(name) }
        }
        return out
    }
}
