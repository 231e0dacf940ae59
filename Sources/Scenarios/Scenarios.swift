// The Scenarios module: filled in by its issue.
