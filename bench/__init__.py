"""The benchmark suite: a synthetic population on the seed map, and measurements of the API against raw Cypher."""
