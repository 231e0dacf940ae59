/// When a freed unit may be handed out again, which decides what a reader that still holds a
/// pointer to a freed object may do with it.
///
/// - `immediate`: 2022, as the thread assumed. `bpf_obj_free` pushes the unit straight back on
///   a free list (its header becomes the list link): a reader still holding the pointer reads
///   reused memory.
/// - `rcu`: today's `bpf_obj_drop` (`bpf_mem_free_rcu`, Aug 2023). The unit is parked and goes
///   back to its cache only after a grace period, so a reader inside a read-side section that
///   began before the free still reads the object as it was, header included. The unload walk
///   reads headers inside such a section and takes allocators with `refcount_inc_not_zero`;
///   every destroy waits a grace period and reclaims the parked units first (`rcu_barrier`
///   in `bpf_mem_alloc_destroy`). The kernel's `unit_free_rcu` links a parked unit through
///   its header word; a walk that reads stale headers needs that link kept elsewhere, which
///   the model assumes (a parked unit's header stays intact). In the model the grace periods are liburcu QSBR's, real ones:
///   a verdict that changes with the rule changes because a grace period waited for a reader.
public enum ReuseRule: String, CaseIterable, Sendable {
    case immediate
    case rcu

    /// One line for tables and help.
    public var summary: String {
        switch self {
        case .immediate: return "a freed unit is reusable at once (2022, as the thread assumed)"
        case .rcu: return "bpf_mem_free_rcu: a freed unit is reused only after a grace period; the walk reads headers in a read-side section, inc-not-zero"
        }
    }
}
