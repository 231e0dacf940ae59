// Placeholder until the runner lands.
print("bench: the runner is not built yet")
