"""Parsers for the daemons' own file formats.

Each reader follows its daemon's tokenization rules and returns a tree of
`Item`s with spans into the original file; it knows nothing of hacc's model.
"""
