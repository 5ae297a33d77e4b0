"""党组织 — agency party branches, enterprises, associations, volunteer teams; and their pairings (结对)."""
