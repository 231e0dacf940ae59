// The BPFModel module: filled in by its issue.
