/// Facts about how this binary was built. `commit` comes from a file the BuildCommit plugin
/// generates on every build (Plugins/BuildCommit).
public enum BuildInfo {}
