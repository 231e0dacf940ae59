// Tests for the SystemAllocators module live here (placeholder until its issue lands; delete when adding tests).
