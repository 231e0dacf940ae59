import CNuma
import Platform
import Testing

/// libnuma's fatal errors (it calls exit(1) after them) become one `bench:` line naming what
/// was running, exit 70 (CPlatform's numa_error override).
struct LibnumaErrorHookTests {
    @Test func aFatalLibnumaErrorIsOneBenchLineAndExit70() async {
        let result = await #expect(processExitsWith: .exitCode(70), observing: [\.standardErrorContent]) {
            FailureContext.set("case atomic/pair threads=2 size=64")
            // libnuma: "request to allocate mask for invalid number", then exit(1).
            _ = numa_bitmask_alloc(0)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr == "bench: case atomic/pair threads=2 size=64 failed: libnuma: request to allocate mask for invalid number\n")
    }

    @Test func aSurvivableLibnumaErrorPrintsNothing() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            numa_error(strdup("mbind"))
        }
        #expect(result?.standardErrorContent.isEmpty == true)
    }
}
