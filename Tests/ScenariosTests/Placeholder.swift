// Tests for the Scenarios module live here (placeholder until its issue lands; delete when adding tests).
