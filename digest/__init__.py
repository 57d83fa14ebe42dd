"""Paper Digest: turn Daily Papers dumps into a curated, searchable static site."""

__version__ = "0.1.0"
