"""printing layer (see docs/ARCHITECTURE.md)."""
