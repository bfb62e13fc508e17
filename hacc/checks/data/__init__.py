"""Static data used by hacc checks (see AGENTS.md for agents.json)."""
