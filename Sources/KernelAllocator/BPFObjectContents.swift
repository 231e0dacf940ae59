import CLibbpf

/// What a compiled object file defines, read with `bpf_object__open_file` alone: no load, no
/// verifier, so a table can be checked against the file without running anything.
struct BPFObjectContents: Sendable {
    var programs: Set<String> = []
    var maps: Set<String> = []
    /// The `.bss` globals among those asked for.
    var globals: Set<String> = []

    /// nil when libbpf cannot open `path`.
    init?(path: String, globals wanted: [String]) {
        guard let obj = bpf_object__open_file(path, nil) else { return nil }
        defer { bpf_object__close(obj) }
        var prog = bpf_object__next_program(obj, nil)
        while let p = prog {
            programs.insert(String(cString: bpf_program__name(p)))
            prog = bpf_object__next_program(obj, p)
        }
        var map = bpf_object__next_map(obj, nil)
        while let m = map {
            maps.insert(String(cString: bpf_map__name(m)))
            map = bpf_object__next_map(obj, m)
        }
        globals = Set(wanted.filter { CLibbpf_bss_offset(obj, $0) >= 0 })
    }
}
