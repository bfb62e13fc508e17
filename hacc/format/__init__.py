"""Write `.ha` text: the canonical layout (`hacc fmt`) and the writer that
turns a model's JSON form back into statements (`hacc import`)."""
