import Testing

// scripts/test selects what runs under the sanitizers by these tags (Swift Testing tags;
// a test target cannot share code with another, so each declares the ones it uses).
extension Tag {
    /// Runs threads concurrently (pinned workers, percpu-ref's mode switch, cross-CPU frees,
    /// scenario crews): run under ThreadSanitizer.
    @Tag static var concurrent: Self
    /// Allocator core, strategies, BPF model and scenarios: run under AddressSanitizer.
    @Tag static var memory: Self
}
