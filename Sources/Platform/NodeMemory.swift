import CNuma
import CPlatform
import Glibc

/// Where slabs come from: real node-local memory from libnuma, or page-aligned memory tagged
/// with a node for injected topologies (a 256-CPU, 8-node model runs on a 1-node machine).
public struct NodeMemory: Sendable {
    public enum Source: Sendable { case libnuma, simulated }
    public let source: Source

    public init(source: Source) { self.source = source }

    /// libnuma for a real topology when NUMA is available, simulated otherwise.
    public init(for topology: Topology) {
        source = topology.isReal && numa_available() >= 0 ? .libnuma : .simulated
    }

    /// `bytes` of memory placed on `node`, page aligned: libnuma's placement (MPOL_BIND to the
    /// node) through `CPlatform_alloc_onnode`, which unlike `numa_alloc_onnode` allocates no
    /// bitmask on the heap, so exhausted memory is a thrown error, not libnuma's exit(1).
    public func allocate(bytes: Int, node: Int) throws -> UnsafeMutableRawPointer {
        switch source {
        case .libnuma:
            guard let p = CPlatform_alloc_onnode(bytes, Int32(node)) else {
                throw PlatformError.outOfMemory(bytes: bytes, node: node)
            }
            return p
        case .simulated:
            var p: UnsafeMutableRawPointer?
            guard posix_memalign(&p, 4096, bytes) == 0, let q = p else {
                throw PlatformError.outOfMemory(bytes: bytes, node: node)
            }
            return q
        }
    }

    /// Returns memory from `allocate`.
    public func free(_ p: UnsafeMutableRawPointer, bytes: Int) {
        switch source {
        case .libnuma: CPlatform_free_onnode(p, bytes)
        case .simulated: Glibc.free(p)
        }
    }

    /// The node the page at `p` actually sits on (libnuma's `get_mempolicy(MPOL_F_NODE|MPOL_F_ADDR)`
    /// through `numa_move_pages` query mode), or nil when unknown. Touches the page first.
    public static func nodeOfPage(_ p: UnsafeMutableRawPointer) -> Int? {
        guard numa_available() >= 0 else { return nil }
        p.storeBytes(of: p.load(as: UInt8.self), as: UInt8.self)
        var pages: UnsafeMutableRawPointer? = p
        var status: Int32 = -1
        let rc = numa_move_pages(0, 1, &pages, nil, &status, 0)
        return rc == 0 && status >= 0 ? Int(status) : nil
    }
}

/// What the process is doing, named in the one line a fatal libnuma error prints (see
/// CPlatform's numa_hooks.c: libnuma would otherwise print its own line and exit 1).
public enum FailureContext {
    /// `text` ("case atomic/pair threads=2 size=64") until the next call; "" clears it.
    public static func set(_ text: String) { CPlatform_set_failure_context(text) }
}
