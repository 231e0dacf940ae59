import Testing
@testable import Platform

@Suite struct CPUListTests {
    @Test(arguments: [
        ("0", [0]), ("0-3", [0, 1, 2, 3]), ("0-3,8", [0, 1, 2, 3, 8]), (" 1 , 3-4 ", [1, 3, 4]), ("7,2", [7, 2]),
    ])
    func parsesValidLists(text: String, expected: [Int]) throws {
        #expect(try CPUList.parse(text) == expected)
    }

    @Test(arguments: ["", " ", "0,", ",1", "0--2", "a", "1-", "-1", "3-1", "0-1-2", "1.5", "0x1"])
    func rejectsMalformedLists(text: String) {
        #expect(throws: PlatformError.self) { try CPUList.parse(text) }
        do {
            _ = try CPUList.parse(text)
        } catch let e as PlatformError {
            guard case .malformedCPUList = e else { Issue.record("expected malformedCPUList, got \(e)"); return }
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func rejectsDuplicates() {
        #expect(throws: PlatformError.duplicateCPU(2, list: "0-3,2")) { try CPUList.parse("0-3,2") }
        #expect(throws: PlatformError.duplicateCPU(1, list: "1,1")) { try CPUList.parse("1,1") }
    }

    @Test func formatsCompactly() {
        #expect(CPUList.format([8, 0, 1, 2, 3]) == "0-3,8")
        #expect(CPUList.format([5]) == "5")
        #expect(CPUList.format([0, 2, 4]) == "0,2,4")
    }

    @Test func errorMessagesAreOneLine() {
        for e: PlatformError in [.malformedCPUList("x", reason: "y"), .duplicateCPU(1, list: "1,1"), .offlineCPU(9, online: "0-1")] {
            #expect(!e.description.contains("\n"))
        }
    }
}
