"""Rules engine that follows up Vietnamese government implementation plans (Đề án 06)."""

__version__ = "0.1.0"
