// The Runner module: filled in by its issue.
