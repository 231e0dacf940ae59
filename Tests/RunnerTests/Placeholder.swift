// Tests for the Runner module live here (placeholder until its issue lands; delete when adding tests).
