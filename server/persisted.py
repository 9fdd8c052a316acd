"""Persisted queries, Apollo-style: a client sends `extensions.persistedQuery.sha256Hash` instead
of (or with) the query text. Registered operations come from a JSON file {sha256: query} that
`portalql persisted add FILE...` writes; other hashes a client sent with their text are kept per
process (automatic persisted queries) unless only registered operations are allowed
(PORTALQL_PERSISTED_ONLY=1), in which case any other query text is refused."""
import hashlib
import json
from pathlib import Path
from typing import Any

from db.recent import Recent


class PersistedQueryError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load_registered(path: str | None) -> dict[str, str]:
    if not path or not Path(path).exists():
        return {}
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a JSON object {{sha256: query}}")
    return {str(k): str(v) for k, v in data.items()}


def register(path: str, texts: list[str]) -> list[str]:
    """Add operations to the file; returns their hashes."""
    registered = load_registered(path)
    hashes = []
    for text in texts:
        h = sha256(text)
        registered[h] = text
        hashes.append(h)
    target = Path(path)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(json.dumps(registered, indent=1, sort_keys=True))
    tmp.replace(target)
    return hashes


class PersistedQueries:
    def __init__(self, registered: dict[str, str], *, only_registered: bool = False,
                 cache_size: int = 2000) -> None:
        self.registered = registered
        self.only_registered = only_registered
        self._cache: Recent[str, str] = Recent(cache_size)

    def resolve(self, query: Any, extensions: Any) -> str | None:
        """The query text to run, or PersistedQueryError. `query` may be None."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        wanted = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if persisted is not None and not isinstance(wanted, str):
            raise PersistedQueryError("persistedQuery needs a sha256Hash", "BAD_USER_INPUT")
        if query is None and wanted is None:
            return None
        if query is None:
            text = self.registered.get(wanted) or self._cached(wanted)
            if text is None:
                raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            return text
        if not isinstance(query, str):
            return query
        digest = sha256(query)
        if wanted is not None and wanted.lower() != digest:
            raise PersistedQueryError("provided sha256Hash does not match the query", "BAD_USER_INPUT")
        if self.only_registered:
            if digest not in self.registered:
                raise PersistedQueryError("Only registered operations are accepted here",
                                          "PERSISTED_QUERY_NOT_ALLOWED")
        elif wanted is not None:
            self._cache.keep(digest, query)
        return query

    def _cached(self, digest: str) -> str | None:
        if self.only_registered:
            return None
        return self._cache.recall(digest)


def register_files(path: str | None, files: list[str]) -> None:
    """`portalql persisted FILE...`: print each file's hash as clients send it."""
    if not path:
        raise SystemExit("set PORTALQL_PERSISTED_QUERIES to the JSON file that holds registered operations")
    from graphql import GraphQLError, parse  # noqa: PLC0415

    texts = []
    for name in files:
        text = Path(name).read_text()
        try:
            parse(text)
        except GraphQLError as e:
            raise SystemExit(f"{name}: {e.message}") from None
        texts.append(text)
    for name, digest in zip(files, register(path, texts)):
        print(f"{digest}  {name}")
