import CLibbpf
import Foundation
import Glibc

/// A bpffs mounted on a fresh directory for one sequence's pins, so a pin never touches
/// /sys/fs/bpf. `remove` (or deinit, on any exit path) unlinks what is left, unmounts the
/// filesystem and removes the directory.
final class PrivateBPFFS {
    let path: String
    private var mounted = true

    init() throws(KernelCaseFailure) {
        var template = Array("\(NSTemporaryDirectory())memalloc-bench-bpffs-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw KernelCaseFailure("cannot create a directory for a private bpffs: \(String(cString: strerror(errno)))")
        }
        path = String(cString: dir)
        guard mount("bpf", path, "bpf", 0, nil) == 0 else {
            let e = errno
            rmdir(path)
            mounted = false
            throw KernelCaseFailure("cannot mount a private bpffs on \(path): \(String(cString: strerror(e)))")
        }
    }

    /// Pins `fd` as `name`; returns the pin's path.
    func pin(_ fd: Int32, as name: String) throws(KernelCaseFailure) -> String {
        let file = "\(path)/\(name)"
        guard bpf_obj_pin(fd, file) == 0 else { throw KernelCaseFailure("BPF_OBJ_PIN \(file) failed: \(String(cString: strerror(errno)))") }
        return file
    }

    func remove() {
        guard mounted else { return }
        mounted = false
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for n in names { unlink("\(path)/\(n)") }
        }
        umount2(path, Int32(MNT_DETACH))
        rmdir(path)
    }

    deinit { remove() }
}
