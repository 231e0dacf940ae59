/// A bug planted in one replay, for the negative controls (`ScenarioControl`): a verdict is
/// only as good as the checker's proven ability to see the fault it would report.
public enum Plant: String, CaseIterable, Sendable {
    /// The first allocation's reference is dropped right after it is taken (a missing get).
    case skipObjectReference = "skip-object-reference"
    /// The unload walk leaves its read-side section between reading a slot and the object's
    /// header (a quiescent state in the window).
    case walkOutsideReadSection = "walk-outside-read-section"
    /// Program unload skips the used_allocators walk.
    case skipWalk = "skip-walk"
    /// A program takes an object out of the map and never frees it.
    case skipOneFree = "skip-one-free"
    /// The release destroys inline even where sleeping is forbidden (no irq_work deferral).
    case inlineDestroy = "inline-destroy"
    /// The broken percpu_ref: the put's mode check and its store are not in one read-side
    /// section (the pause between them announces a quiescent state).
    case putOutsideReadSection = "put-outside-read-section"

    public var summary: String {
        switch self {
        case .skipObjectReference: return "the first object's reference is dropped right after the allocation takes it"
        case .walkOutsideReadSection: return "the unload walk leaves its read-side section between the slot read and the header read"
        case .skipWalk: return "program unload skips the used_allocators walk"
        case .skipOneFree: return "the program takes one object out of the map and never frees it"
        case .inlineDestroy: return "the release destroys the allocator inline, in NMI context too"
        case .putOutsideReadSection: return "broken percpu_ref: the put's mode check and store are outside one read-side section"
        }
    }
}
