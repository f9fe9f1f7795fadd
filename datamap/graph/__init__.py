"""Neo4j access: named, parameterised Cypher, one module per concern."""
