"""The exported GraphQL SDL (schema/schema.graphql), kept in step with the code by a test."""

from __future__ import annotations

from datamap import resources
from datamap.api.schema import schema

SDL_FILE = resources.sdl_file()  # the checkout's schema/schema.graphql, or an installed wheel's copy


def current_sdl() -> str:
    return schema.as_str() + "\n"
