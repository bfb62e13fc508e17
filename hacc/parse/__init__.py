"""Parse `.ha` text into statements (see `ast`), and JSON into plain data.

Lark does the parsing with the grammar in `grammar/hacc.lark`; this package
adds positions, readable syntax errors and `include` expansion.
"""

from hacc.parse.ast import Pair, Statement, Value
from hacc.parse.includes import load_statements

__all__ = ["Pair", "Statement", "Value", "load_statements"]
