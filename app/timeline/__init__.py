"""时间线 / 流转记录 — one timeline for every object with a life (wishes, issues, checklist items …)."""
