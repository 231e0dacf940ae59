// Tests for the Reports module live here (placeholder until its issue lands; delete when adding tests).
