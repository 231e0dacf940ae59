import Strategies

/// A BPF map of the model. Subclasses say what freeing it means.
open class BPFMap<S: LifetimeStrategy>: BPFObject {
    public unowned let world: BPFWorld<S>

    init(world: BPFWorld<S>) {
        self.world = world
        super.init(id: world.nextObjectID())
    }
}
