"""`llmgw doctor`: the check registry and small check functions grouped by layer."""
