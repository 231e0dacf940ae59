// Tests for the Strategies module live here (placeholder until its issue lands; delete when adding tests).
