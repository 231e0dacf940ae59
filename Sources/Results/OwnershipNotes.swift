import Foundation

/// Facts an `own` row carries in its `unit` column, written and read here only.
public enum OwnershipNotes {
    /// The `unit` of an allocator count the model skipped for the memory budget: the reason,
    /// ending in the kernel-equivalent bytes (`... = 12.5 MiB`), which the report still shows.
    public static func overBudget(modelMiB: String, budgetMiB: String, objects: Int, bytesPerObject: Int) -> String {
        "n/a: the model would reserve ~\(modelMiB) MiB (budget \(budgetMiB) MiB, --memory-budget); kernel-equivalent "
            + "\(objects) × \(bytesPerObject) B = \(mib(objects * bytesPerObject)) MiB"
    }

    /// The kernel-equivalent bytes of an over-budget reason, or nil for another text.
    public static func kernelBytes(overBudget reason: String?) -> Int? {
        guard let r = reason, r.hasPrefix("n/a: the model would reserve"), let eq = r.range(of: "= ", options: .backwards)
        else { return nil }
        let number = r[eq.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(number).map { Int($0 * 1_048_576) }
    }

    /// The `unit` of a map's slab gain in the cache its elements come from (`B per map in kmalloc-96`).
    public static func slabUnit(cache: String) -> String { "B per map in \(cache)" }

    /// The cache a `slabUnit` note names.
    public static func cache(slabUnit unit: String) -> String? {
        let prefix = "B per map in "
        return unit.hasPrefix(prefix) ? String(unit.dropFirst(prefix.count)) : nil
    }

    /// MiB with one decimal, as the notes print it.
    public static func mib(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }
}
