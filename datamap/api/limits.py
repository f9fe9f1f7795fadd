"""The limits of one request, each refused with an error that names it (`extensions.code` in brackets).

- the request body: its size and the time to send it (`datamap.api.body_limit`) [HTTP 413 PAYLOAD_TOO_LARGE,
  HTTP 408 REQUEST_TIMEOUT];
- tokens of a document: `MAX_TOKENS` (5,000); graphql-core's parser, while it parses [LIMIT_EXCEEDED];
- aliases of a document: `MAX_ALIASES` (30), a fragment's counted each time it is spread; fields written in a
  document: `MAX_FIELDS` (250); depth of an operation: `MAX_DEPTH` (10), introspection fields not counted;
  `CachedValidation`, before graphql-core validates the document [LIMIT_EXCEEDED];
- operations: a document with several needs `operationName`; `RequestChecks`, before execution
  [OPERATION_RESOLUTION_FAILURE];
- string arguments: email 254, phone 64, any other `MAX_STRING` (10,000) characters; list arguments `MAX_ITEMS`
  (100) items; inline or in variables alike, checked by `RequestChecks` before any resolver (so before an email
  validator or a phone parser sees the value) [BAD_USER_INPUT];
- introspection: refused when `DATAMAP_INTROSPECTION=off`; `RequestChecks` [GRAPHQL_VALIDATION_FAILED].

Dates and instants outside the years the service accepts are refused by the scalars themselves (`scalars.py`); the
time a request may take is the database's concern (`graph/database.py`, `deadline`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    NoSchemaIntrospectionCustomRule,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
    is_input_type,
    type_from_ast,
    validate,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

from datamap.api.errors import (
    BAD_USER_INPUT,
    LIMIT_EXCEEDED,
    OPERATION_RESOLUTION_FAILURE,
    VALIDATION_FAILED,
)
from datamap.config import ApiSettings

MAX_TOKENS = 5_000  # tokens of a GraphQL document (names, punctuation, values)
MAX_ALIASES = 30  # aliases in a document, counting a fragment's each time it is spread
MAX_DEPTH = 10  # nested selections of an operation (the deepest query of the schema needs 5)
MAX_NESTING = 40  # selection sets and fragment spreads inside each other (fragments do not count for depth)
MAX_FIELDS = 250  # field selections written in a document (GraphiQL's introspection query has 72)
MAX_ITEMS = 100  # items of a list argument (categories, systems)
MAX_STRING = 10_000  # characters of a string argument (evidence, reasons)
STRING_LIMITS: Mapping[str, int] = {  # by argument or input field name, checked before the value is parsed
    "email": 254,  # RFC 5321's limit on an address
    "fromEmail": 254,
    "phone": 64,  # E.164 has 15 digits; spaces, dashes and brackets leave room
}
MAX_ERRORS = 10  # errors of one check reported at most (the first ones)


def _limit_error(message: str, code: str = LIMIT_EXCEEDED) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


# --- the document: tokens, aliases, depth -----------------------------------------------------------------------


# A GraphQL token as graphql-core's parser counts one (strings whole, a block string's only escape being \""";
# comments count too): counting them with the regular-expression engine costs about a millisecond for 5,000,
# graphql-core's lexer 20-60 times that, on the event loop every other request waits for.
_TOKEN = re.compile(
    r'"""(?:\\"""|[^"]|"(?!""))*"""|"(?:[^"\\\n\r]|\\.)*"|#[^\n\r]*|\.\.\.|[!$&():=@\[\]{|}]'
    r"|[_A-Za-z][_0-9A-Za-z]*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
)


def over_token_limit(query: str) -> bool:
    """Whether graphql-core's parser would refuse the document for its tokens (more than `MAX_TOKENS`, comments
    included), read without parsing it."""
    return token_count(query, MAX_TOKENS) > MAX_TOKENS


def token_count(query: str, most: int) -> int:
    """The document's tokens as graphql-core's parser counts them, counted no further than `most + 1`."""
    counted = 0
    for _ in _TOKEN.finditer(query):
        counted += 1
        if counted > most:
            break
    return counted


def _too_many_tokens() -> GraphQLError:
    return GraphQLError(
        f"Document contains more than {MAX_TOKENS} tokens. Parsing aborted.",
        extensions={"code": LIMIT_EXCEEDED},
    )


class CachedParser(ParserCache):
    """Strawberry's parser cache, with the token limit checked first without parsing; a document parses once (a
    failure is reported as it is, not parsed a second time by strawberry)."""

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            if over_token_limit(context.query):
                raise _too_many_tokens()  # strawberry answers it as the operation's error
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield


class _TooDeep(Exception):
    pass


@dataclass(frozen=True)
class _Shape:
    aliases: int = 0
    depth: int = 0


class CachedValidation(ValidationCache):
    """Strawberry's validation cache, after the shape limits: a document over them is refused without being
    validated (graphql-core's overlap check is quadratic in repeated fields: 300 copies of one field cost it
    half a second or more; 250 fields, a twentieth)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        errors = shape_errors(context.graphql_document) if context.graphql_document is not None else []
        if errors:
            context.pre_execution_errors = errors
            yield
        else:
            yield from super().on_validate()


def shape_errors(document: DocumentNode) -> list[GraphQLError]:
    """Fields and aliases of the document, depth of each operation, against their limits. Aliases and depth
    count a fragment wherever it is spread (computed once per fragment); fields are counted as written."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    shapes: dict[str, _Shape] = {}
    aliases = 0
    errors: list[GraphQLError] = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = f"Operation '{definition.name.value}'" if definition.name else "The operation"
        try:
            shape = _shape(definition.selection_set, fragments, shapes, set(), 0)
        except _TooDeep:
            errors.append(
                _limit_error(f"{name} nests fields and fragments more than {MAX_NESTING} levels deep")
            )
            continue
        aliases += shape.aliases
        if shape.depth > MAX_DEPTH:
            errors.append(
                _limit_error(
                    f"{name} nests fields {shape.depth} levels deep; at most {MAX_DEPTH} are allowed"
                )
            )
    if aliases > MAX_ALIASES:
        errors.append(
            _limit_error(
                f"The document uses {aliases} aliases; at most {MAX_ALIASES} are allowed in one request "
                "(send several requests)"
            )
        )
    fields = _field_count(document)
    if fields > MAX_FIELDS:
        errors.append(
            _limit_error(
                f"The document selects {fields} fields; at most {MAX_FIELDS} are allowed in one request "
                "(send several requests)"
            )
        )
    return errors


def _shape(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    shapes: dict[str, _Shape],
    active: set[str],
    nesting: int,
) -> _Shape:
    """Aliases and depth of a selection set; a fragment's are computed once and reused wherever it is spread."""
    if nesting > MAX_NESTING:  # deeper than any sensible document: stop before Python's recursion limit
        raise _TooDeep
    aliases = depth = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            inner = _Shape()
            if selection.selection_set is not None:
                inner = _shape(selection.selection_set, fragments, shapes, active, nesting + 1)
            aliases += inner.aliases + (1 if selection.alias else 0)
            if not selection.name.value.startswith("__"):  # introspection: bounded by the token limit
                depth = max(depth, 1 + inner.depth)
            continue
        if isinstance(selection, InlineFragmentNode):
            inner = _shape(selection.selection_set, fragments, shapes, active, nesting + 1)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in shapes:
                fragment = fragments.get(name)
                if fragment is None or name in active:  # unknown or cyclic: validation reports it
                    continue
                active.add(name)
                shapes[name] = _shape(fragment.selection_set, fragments, shapes, active, nesting + 1)
                active.discard(name)
            inner = shapes[name]
        else:
            continue
        aliases += inner.aliases
        depth = max(depth, inner.depth)
    return _Shape(aliases, depth)


def _field_count(document: DocumentNode) -> int:
    """Field selections as written in the document (a fragment's once)."""
    count = 0
    pending = [d.selection_set for d in document.definitions if isinstance(d, ExecutableDefinitionNode)]
    while pending:
        selection_set = pending.pop()
        for selection in selection_set.selections:
            count += isinstance(selection, FieldNode)
            inner = getattr(selection, "selection_set", None)
            if inner is not None:
                pending.append(inner)
    return count


# --- the request: operations, argument sizes, introspection -----------------------------------------------------


class RequestChecks(SchemaExtension):
    """Before any resolver runs: which operation, the size of every string and list argument (literals and
    variables alike), and whether introspection is allowed. A failed check answers with its errors and no data."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            # the name the client sent: `context.operation_name` falls back on the first operation's
            sent_name = getattr(context, "_provided_operation_name", None)
            errors = self._errors(context.schema._schema, document, sent_name, context.variables)
            if errors:
                context.result = GraphQLExecutionResult(data=None, errors=errors[:MAX_ERRORS])
        yield

    def _errors(
        self,
        schema: GraphQLSchema,
        document: Any,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> list[GraphQLError]:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1 and operation_name is None:
            names = ", ".join(op.name.value if op.name else "(anonymous)" for op in operations)
            return [
                _limit_error(
                    f"The document holds {len(operations)} operations ({names}): send `operationName` to say "
                    "which one to run",
                    OPERATION_RESOLUTION_FAILURE,
                )
            ]
        operation = next(
            (
                op
                for op in operations
                if operation_name is None or (op.name and op.name.value == operation_name)
            ),
            None,
        )
        if operation is None:
            return []
        settings = _settings(self.execution_context.context)
        if not settings.introspection and validate(schema, document, [NoSchemaIntrospectionCustomRule]):
            return [_limit_error("Introspection is switched off on this service", VALIDATION_FAILED)]
        return ArgumentSizes(schema, document).check(operation, variables or {})


def _settings(context: Any) -> ApiSettings:
    found = context.get("settings") if isinstance(context, dict) else None
    return found if isinstance(found, ApiSettings) else ApiSettings()


class ArgumentSizes:
    """Strings and lists of every argument, inline or in variables, against `STRING_LIMITS`, `MAX_STRING` and
    `MAX_ITEMS`; the messages read alike: "Argument 'subject' of 'subject' has invalid value at .email: ..."
    inline, "Variable '$s' has invalid value at .email: ..." in a variable."""

    def __init__(self, schema: GraphQLSchema, document: Any) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.errors: list[GraphQLError] = []
        self.variable_names: dict[str, str] = {}  # variable -> the argument or field it is passed as

    def check(self, operation: OperationDefinitionNode, variables: Mapping[str, Any]) -> list[GraphQLError]:
        root = self.schema.get_root_type(operation.operation)
        if root is not None:
            self._selections(operation.selection_set, root, set())
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            declared = type_from_ast(self.schema, definition.type)
            if name in variables and declared is not None and is_input_type(declared):
                prefix = f"Variable '${name}' has invalid value"
                self._value(variables[name], declared, prefix, "", self.variable_names.get(name, name))
        return self.errors

    def _selections(self, selection_set: SelectionSetNode, parent: Any, seen: set[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields = parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
                definition = fields.get(selection.name.value)
                if definition is None:  # __typename, introspection
                    continue
                for argument in selection.arguments or ():
                    arg = definition.args.get(argument.name.value)
                    if arg is not None:
                        prefix = (
                            f"Argument '{argument.name.value}' of '{selection.name.value}' has invalid value"
                        )
                        self._literal(argument.value, arg.type, prefix, "", argument.name.value)
                if selection.selection_set is not None:
                    self._selections(selection.selection_set, get_named_type(definition.type), seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                self._selections(selection.selection_set, inner, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                seen.add(name)
                inner = self.schema.get_type(fragment.type_condition.name.value)
                self._selections(fragment.selection_set, inner, seen)

    def _literal(self, node: ValueNode, type_: GraphQLInputType, prefix: str, at: str, name: str) -> None:
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(node, VariableNode):
            self.variable_names.setdefault(node.name.value, name)
        elif isinstance(type_, GraphQLList):
            if isinstance(node, ListValueNode):
                if self._too_many(len(node.values), prefix, at):
                    return
                for i, item in enumerate(node.values):
                    self._literal(item, type_.of_type, prefix, f"{at}[{i}]", name)
            else:
                self._literal(node, type_.of_type, prefix, at, name)
        elif isinstance(type_, GraphQLInputObjectType) and isinstance(node, ObjectValueNode):
            for field in node.fields:
                definition = type_.fields.get(field.name.value)
                if definition is not None:
                    key = field.name.value
                    self._literal(field.value, definition.type, prefix, f"{at}.{key}", key)
        elif isinstance(node, StringValueNode):
            self._too_long(node.value, prefix, at, name)

    def _value(self, value: Any, type_: GraphQLInputType, prefix: str, at: str, name: str) -> None:
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLList):
            if isinstance(value, list):
                if self._too_many(len(value), prefix, at):
                    return
                for i, item in enumerate(value):
                    self._value(item, type_.of_type, prefix, f"{at}[{i}]", name)
            else:
                self._value(value, type_.of_type, prefix, at, name)
        elif isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
            for key, definition in type_.fields.items():
                if key in value:
                    self._value(value[key], definition.type, prefix, f"{at}.{key}", key)
        elif isinstance(value, str):
            self._too_long(value, prefix, at, name)

    def _too_many(self, count: int, prefix: str, at: str) -> bool:
        if count <= MAX_ITEMS:
            return False
        self._report(prefix, at, f"{count} items; at most {MAX_ITEMS} are accepted in one list")
        return True

    def _too_long(self, value: str, prefix: str, at: str, name: str) -> None:
        limit = STRING_LIMITS.get(name, MAX_STRING)
        if len(value) > limit:
            self._report(prefix, at, f"{len(value):,} characters; at most {limit:,} are accepted")

    def _report(self, prefix: str, at: str, problem: str) -> None:
        where = f" at {at}" if at else ""
        self.errors.append(GraphQLError(f"{prefix}{where}: {problem}.", extensions={"code": BAD_USER_INPUT}))
