"""A real Neo4j 5.26 Community server run from Maven Central jars on the local JDK."""

from datamap.localdb.server import LocalNeo4j

__all__ = ["LocalNeo4j"]
