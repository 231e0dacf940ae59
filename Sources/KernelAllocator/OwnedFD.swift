import Glibc

/// A file descriptor this code owns. Closing it is a step of a safety sequence (a program's
/// unload, a map's last user-space reference), so `close` is explicit and idempotent; whatever
/// a failed sequence did not close is closed when the value goes away.
final class OwnedFD {
    private(set) var fd: Int32

    /// Takes `fd` over (it must be open and nobody else's).
    init(adopting fd: Int32) { self.fd = fd }

    /// A duplicate of `source` (close-on-exec): `source`'s owner may close its own copy.
    init(duplicating source: Int32, what: String) throws(KernelCaseFailure) {
        let copy = fcntl(source, F_DUPFD_CLOEXEC, 3)
        guard copy >= 0 else { throw KernelCaseFailure("cannot duplicate the fd of \(what): \(String(cString: strerror(errno)))") }
        fd = copy
    }

    var isOpen: Bool { fd >= 0 }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}
