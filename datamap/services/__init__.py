"""Use cases: loading the map, recording the subject layer, lineage."""
