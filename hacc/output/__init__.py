"""Write the generated files: the manifest, the atomic tree swap, and the
drift check behind `hacc build --check`."""
