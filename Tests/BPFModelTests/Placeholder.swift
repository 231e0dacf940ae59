// Tests for the BPFModel module live here (placeholder until its issue lands; delete when adding tests).
