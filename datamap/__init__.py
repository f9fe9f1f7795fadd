"""datamap: a company's data map and GDPR Art. 30 record as a Neo4j graph, answered over GraphQL."""

__version__ = "0.1.0"
