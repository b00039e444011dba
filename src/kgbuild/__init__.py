"""kgbuild: annotated news articles -> a knowledge graph in Oxigraph, queried, exported and served over SPARQL."""
