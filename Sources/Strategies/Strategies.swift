// The Strategies module: filled in by its issue.
