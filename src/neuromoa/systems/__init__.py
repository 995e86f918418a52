"""Systems models."""
