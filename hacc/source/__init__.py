"""Reading source files: every byte hacc reads from disk comes through here."""

from hacc.source.files import SourceMap, read_source

__all__ = ["SourceMap", "read_source"]
