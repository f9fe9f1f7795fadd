"""GraphQL API: types and resolvers (translation only), the Starlette application."""
