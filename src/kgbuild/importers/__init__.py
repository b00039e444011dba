"""Ways into kgbuild's annotation format: brat standoff, and helpers shared with drafting.

Every importer ends in the same place: a kgbuild annotation YAML file (written by
`kgbuild.importers.common.write_annotation`) whose anchors resolve back to the exact
offsets the source gave, and which `kgbuild.loader.load_article` reads like a
hand-written one.
"""
