"""Deadline phrases: the declarative grammar, the typed timings it produces, and due dates."""
