"""Escalation: rule files, facts, the matcher interface (durable-rules and plain Python)."""
