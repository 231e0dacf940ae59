import Results
import Testing
@testable import Reports

/// Issue 26 item 3 in the report, from crafted rows: the emulations measured in the native
/// rounds sit beside native in a table labelled native/emulated within 75 columns, and the
/// calibration sentence quotes the paired same-round figures instead of the different-rounds
/// comparison; saved runs without those rows keep the old sentence.
struct NativeRefsCalibrationTests {
    typealias S = NativeRefsSection

    /// Native live adds 40, killed 43 (1 CPU) / 60 (2 CPUs); the emulated percpu_ref adds
    /// native − 37 live and native − `killedGap(t)` killed; atomic adds native killed − 41 / − 17.
    func rows(killedGap: (Int) -> Double = { $0 == 1 ? 40 : 14 }) -> [ResultRow] {
        (0..<12).flatMap { b -> [ResultRow] in
            let wobble = b % 2 == 0 ? 0.25 : -0.25
            return [1, 2].flatMap { t -> [ResultRow] in
                let killed = t == 1 ? 43.0 : 60.0
                var out: [ResultRow] = []
                func add(_ s: String, _ op: Op, _ metric: Metric, _ v: Double) {
                    out.append(makeRow(strategy: s, phase: .native, op: op, threads: t, repetition: b, metric: metric, value: v + wobble))
                }
                add(S.percpuRef, .getPutLive, .addedNs, 40)
                add(S.percpuRef, .getPutKilled, .addedNs, killed)
                add(S.emulatedPercpuRef, .getPutLive, .addedNs, 3)
                add(S.emulatedPercpuRef, .getPutLive, Metric.overNativeNs, -37)
                add(S.emulatedPercpuRef, .getPutKilled, .addedNs, killed - killedGap(t))
                add(S.emulatedPercpuRef, .getPutKilled, Metric.overNativeNs, -killedGap(t))
                add(S.emulatedAtomic, .getPutKilled, .addedNs, killed - (t == 1 ? 41 : 17))
                add(S.emulatedAtomic, .getPutKilled, Metric.overNativeNs, -(t == 1 ? 41 : 17))
                add(S.emulatedControl, .getPutKilled, .nsPerOp, 12)
                return out
            }
        }
    }

    @Test func theTableShowsEmulatedBesideNative() throws {
        let tables = S.tables(rows())
        #expect(tables.count == 2)
        let t = try #require(tables.last)
        #expect(t.header.contains("code"))
        let native = try #require(t.rows.first { $0[0] == "percpu_ref" && $0[1] == "2" && $0[2] == "native" && $0[3] == "killed" })
        #expect(native[4].hasPrefix("+60"))
        let emulated = try #require(t.rows.first { $0[0] == "percpu_ref" && $0[1] == "2" && $0[2] == "emulated" && $0[3] == "killed" })
        #expect(emulated[4].hasPrefix("+46") && emulated[5].hasPrefix("−14"), "\(emulated)")
        #expect(t.rows.contains { $0[0] == "atomic" && $0[2] == "emulated" && $0[5].hasPrefix("−17") })
        for table in tables { #expect(MailTableLayout.lines(table, width: 75).allSatisfy { $0.count <= 75 }) }
        // The emulations' rows do not enter the native table or its CPU counts.
        #expect(S.threadCounts(rows()) == [1, 2])
        #expect(!tables[0].rows.contains { $0[0] == "atomic" })
    }

    @Test func theSentenceQuotesTheSameRoundFigures() throws {
        let f = S.findings(rows())
        let line = try #require(f.first { $0.contains("Emulation against native") })
        #expect(line.contains("in the same rounds") && !line.contains("different objects and rounds"), "\(line)")
        #expect(line.contains("the BPF emulation of percpu_ref adds −37"), "\(line)")
        #expect(line.contains("−14") && line.contains("(killed) at 2 CPUs"), "\(line)")
        #expect(line.contains("kernel-atomic's emulated count adds −41") && line.contains("−17"), "\(line)")
        // Emulated killed − live at 2 CPUs: (60 − 14) − 3 = +43, native's 60 − 40 = +20.
        #expect(line.contains("emulated +43") && line.contains("against native +20"), "\(line)")
    }

    /// A different killed gap moves the quoted figure: the sentence reads the rows.
    @Test func theSentenceFollowsTheRows() throws {
        let line = try #require(S.findings(rows(killedGap: { _ in 5 })).first { $0.contains("Emulation against native") })
        #expect(line.contains("−5.0") && !line.contains("−14"), "\(line)")
    }

    @Test func savedRunsWithoutSameRoundsKeepTheOldSentence() throws {
        let old = rows().filter { $0.metric != Metric.overNativeNs }
        #expect(S.tables(old).count == 1)
        let acct = (0..<12).flatMap { b in
            [("kernel-lazy", 10.0), ("kernel-atomic", 12.4), ("kernel-percpu-ref", 13.3)].map { s, v in
                makeRow(strategy: s, phase: .interleaved, op: .acct, threads: 1, repetition: b, metric: .nsPerOp, value: v + Double(b % 2) * 0.1)
            }
        }
        let line = try #require(S.findings(old + acct).first { $0.contains("Emulation against native") })
        #expect(line.contains("different objects and rounds"), "\(line)")
    }
}
