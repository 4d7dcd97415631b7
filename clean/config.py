"""One ``Config`` object flows from the command line (or a library call) down to every stage.

Precedence: defaults, then a TOML file, then ``CLEAN_*`` environment variables, then flags. The
resolved configuration is written to the manifest, and the fields that change output are hashed so a
resumed run can refuse to mix shards cleaned with different settings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class Config:
    """Every option of a run. Fields marked ``output=False`` in their metadata do not change the data."""

    # how work is split and run
    workers: int = dataclasses.field(
        default=0, metadata={"output": False, "help": "worker processes (0: one per core)"}
    )
    engine: str = dataclasses.field(default="local", metadata={"output": False, "help": "local or ray"})
    ray_address: str | None = dataclasses.field(default=None, metadata={"output": False})
    shard_mb: float = dataclasses.field(default=32.0, metadata={"help": "target input size of one shard (MB)"})
    shard_docs: int = dataclasses.field(default=2000, metadata={"help": "at most this many documents per shard"})
    force: bool = dataclasses.field(default=False, metadata={"output": False})
    # limits
    max_doc_mb: float = dataclasses.field(default=20.0, metadata={"help": "documents larger than this fail (MB)"})
    doc_timeout: float = dataclasses.field(default=60.0, metadata={"help": "seconds one document may take"})
    # cleaning
    zones: bool = True
    repeated_lines: bool = True
    detect_language: bool = True
    mine_common_lines: bool = True
    # dedup
    dedup: bool = True
    dedup_threshold: float = 0.5
    drop_duplicates: bool = False
    dedup_ngram: int | None = None
    dedup_num_perm: int | None = None
    dedup_bands: int | None = None
    dedup_rows: int | None = None
    dedup_against: str | None = None

    def replace(self, **changes: Any) -> Config:
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise UsageError(f"unknown option(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def output_fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.metadata.get("output", True)}

    def fingerprint(self, version: str) -> str:
        """A short hash of everything that changes the output: the version and the output fields."""
        blob = json.dumps({"version": version, **self.output_fields()}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _coerce(name: str, value: Any, default: Any, annotation: str) -> Any:
    if isinstance(value, str):
        if "bool" in annotation:
            low = value.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise UsageError(f"{name}: expected true or false, got {value!r}")
        if ("int" in annotation and "None" not in annotation) or annotation == "int | None":
            try:
                return int(value)
            except ValueError:
                raise UsageError(f"{name}: expected a whole number, got {value!r}") from None
        if "float" in annotation:
            try:
                return float(value)
            except ValueError:
                raise UsageError(f"{name}: expected a number, got {value!r}") from None
    return value


def load(file: str | Path | None = None, env: dict[str, str] | None = None, **flags: Any) -> Config:
    """Resolve a Config from defaults, a TOML file, ``CLEAN_*`` variables and flags, in that order."""
    values: dict[str, Any] = {}
    types = {f.name: str(f.type) for f in fields(Config)}
    defaults = Config()
    if file is not None:
        path = Path(file)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UsageError(f"{path}: config file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"{path}: not valid TOML ({exc})") from None
        data = data.get("clean", data)
        for key, value in data.items():
            name = key.replace("-", "_")
            if name not in types:
                raise UsageError(f"{path}: unknown option {key!r}; known: {', '.join(sorted(types))}")
            values[name] = value
    for key, value in (os.environ if env is None else env).items():
        if not key.startswith("CLEAN_"):
            continue
        name = key[len("CLEAN_") :].lower()
        if name in types:
            values[name] = _coerce(key, value, getattr(defaults, name), types[name])
    values.update({k: v for k, v in flags.items() if v is not None})
    return defaults.replace(**values)
