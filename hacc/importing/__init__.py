"""Read the configuration files a cluster runs today into hacc's model.

The import pipeline mirrors the compiler's, backwards: `readers/` parse each
daemon's own file format (following the daemon's tokenization rules) into a
small tree with spans into the original files; `layers/` map those trees to
the model's JSON form, merging the per-node files of keepalived and haproxy;
`assemble` joins the layers into one cluster. `hacc import` then writes the
`.ha` file (hacc.format) and `hacc audit` runs the lint rules on it, with
every diagnostic pointing at the original file and line.
"""
