"""The exported GraphQL SDL (schema/schema.graphql), kept in step with the code by a test."""

from __future__ import annotations

from pathlib import Path

from datamap.api.schema import schema

SDL_FILE = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def current_sdl() -> str:
    return schema.as_str() + "\n"
