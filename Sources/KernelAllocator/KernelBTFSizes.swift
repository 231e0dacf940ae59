import CLibbpf
import Glibc

/// Sizes of kernel structures from the running kernel's BTF (/sys/kernel/btf/vmlinux), so the
/// kernel-equivalent footprint uses this kernel's `struct bpf_mem_cache`, not a remembered one.
public enum KernelBTFSizes {
    /// `struct <name>` sizes in bytes, nil for a struct the BTF lacks; nil when no BTF loads.
    public static func structSizes(_ names: [String]) -> [String: Int?]? {
        var sizes = [Int64](repeating: -1, count: names.count)
        let rc = withArrayOfCStrings(names) { pointers in
            pointers.withUnsafeBufferPointer { CLibbpf_kernel_struct_sizes($0.baseAddress, &sizes, Int32(names.count)) }
        }
        guard rc == 0 else { return nil }
        var out: [String: Int?] = [:]
        for (n, s) in zip(names, sizes) { out[n] = s > 0 ? Int(s) : nil }
        return out
    }

    private static func withArrayOfCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let owned = strings.map { strdup($0) }
        defer { for p in owned { free(p) } }
        return body(owned.map { UnsafePointer($0) })
    }
}
