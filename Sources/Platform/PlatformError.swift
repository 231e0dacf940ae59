import Glibc

/// Errors from the platform layer. Each names what failed in one line, fit for a CLI's stderr.
public enum PlatformError: Error, Equatable, CustomStringConvertible {
    /// A CPU list such as `0-3,8` that does not parse; `reason` says where.
    case malformedCPUList(String, reason: String)
    /// A CPU named twice in one list.
    case duplicateCPU(Int, list: String)
    /// A CPU that is not online (or not in this process's affinity mask).
    case offlineCPU(Int, online: String)
    /// `pthread_setaffinity_np` refused, with its errno.
    case pinFailed(cpu: Int, errno: Int32)
    /// The thread was pinned but `sched_getcpu` reports another CPU.
    case pinNotHonoured(cpu: Int, observed: Int)
    /// libnuma is unusable (`numa_available() < 0`) where it is required.
    case numaUnavailable
    /// `numa_alloc_onnode` (or the simulated source) returned nothing.
    case outOfMemory(bytes: Int, node: Int)
    /// A thread could not be created.
    case threadCreateFailed(errno: Int32)

    public var description: String {
        switch self {
        case .malformedCPUList(let list, let reason): return "malformed CPU list '\(list)': \(reason)"
        case .duplicateCPU(let cpu, let list): return "CPU \(cpu) appears twice in CPU list '\(list)'"
        case .offlineCPU(let cpu, let online): return "CPU \(cpu) is not online (online CPUs: \(online))"
        case .pinFailed(let cpu, let e): return "cannot pin thread to CPU \(cpu): \(String(cString: strerror(e)))"
        case .pinNotHonoured(let cpu, let observed): return "thread pinned to CPU \(cpu) runs on CPU \(observed)"
        case .numaUnavailable: return "libnuma reports NUMA is unavailable on this system"
        case .outOfMemory(let bytes, let node): return "cannot allocate \(bytes) bytes on NUMA node \(node)"
        case .threadCreateFailed(let e): return "cannot create thread: \(String(cString: strerror(e)))"
        }
    }
}
