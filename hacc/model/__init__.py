"""The model: what a cluster is, independent of how it was written.

`lower` turns `.ha` statements into the JSON form, `validate` checks that
form against the schema, and `bind` builds the typed dataclasses of
`cluster`, `corosync`, `pacemaker`, `keepalived` and `haproxy` from it.
"""
