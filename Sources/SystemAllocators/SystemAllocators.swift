// The SystemAllocators module: filled in by its issue.
