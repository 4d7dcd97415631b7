"""One ``Config`` object flows from the command line (or a library call) down to every stage.

Precedence: defaults, then a TOML file, then ``CLEAN_*`` environment variables, then flags. The
resolved configuration is written to the manifest, and the fields that change output are hashed so a
resumed run can refuse to mix shards cleaned with different settings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from clean.errors import UsageError

log = logging.getLogger(__name__)

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
    html_model: str = dataclasses.field(
        default="accurate",
        metadata={"help": "HTML page model: accurate (five peer extractors) or fast (two; about 2.5x the pages/s)"},
    )
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

    def __post_init__(self) -> None:
        for f in fields(self):
            value = _check(f.name, getattr(self, f.name), str(f.type))
            object.__setattr__(self, f.name, value)
            low, high = _LIMITS.get(f.name, (None, None))
            if value is not None and ((low is not None and value < low) or (high is not None and value > high)):
                bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
                raise UsageError(f"option {f.name}: must be {bound}, got {value!r}")
        if self.engine not in ENGINES:
            raise UsageError(f"option engine: expected one of {', '.join(ENGINES)}, got {self.engine!r}")
        if self.html_model not in HTML_MODEL_CHOICES:
            raise UsageError(
                f"option html_model: expected one of {', '.join(HTML_MODEL_CHOICES)}, got {self.html_model!r}"
            )

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


def _optional(annotation: str) -> bool:
    return "None" in annotation


def _coerce(name: str, value: str, annotation: str) -> Any:
    """A value given as text (an environment variable, a quoted TOML value) as the field's type."""
    text = value.strip()
    if _optional(annotation) and text.lower() in ("", "none", "null"):
        return None
    if annotation.startswith("bool"):
        low = text.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise UsageError(f"{name}: expected true or false, got {value!r}")
    if annotation.startswith("int"):
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"{name}: expected a whole number, got {value!r}") from None
    if annotation.startswith("float"):
        try:
            return float(text)
        except ValueError:
            raise UsageError(f"{name}: expected a number, got {value!r}") from None
    return value


def _check(name: str, value: Any, annotation: str) -> Any:
    """``value`` if it has the field's type (an int is a float too), else a UsageError naming the field."""
    if value is None and _optional(annotation):
        return None
    base = annotation.split("|", maxsplit=1)[0].strip()
    if base == "bool" and isinstance(value, bool):
        return value
    if base == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if base == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):  # nan passes every range check, inf overflows the timers and sizes
            raise UsageError(f"option {name}: expected a finite number, got {value!r}")
        return float(value)
    if base == "str" and isinstance(value, str):
        return value
    what = {"bool": "true or false", "int": "a whole number", "float": "a number", "str": "text"}.get(base, base)
    raise UsageError(f"option {name}: expected {what}, got {value!r}")


#: Limits checked when a Config is made, whatever it came from (flags check the same limits themselves).
_LIMITS: dict[str, tuple[float | None, float | None]] = {
    "workers": (0, None),
    "shard_mb": (0.001, 1_000_000),
    "shard_docs": (1, None),
    "max_doc_mb": (0.001, 1_000_000),
    "doc_timeout": (0, 7 * 86400),
    "dedup_threshold": (0.05, 1.0),
    "dedup_ngram": (1, None),
    "dedup_num_perm": (8, None),
    "dedup_bands": (1, None),
    "dedup_rows": (1, None),
}
ENGINES = ("local", "ray")
#: Switches whose flag says "no": ``--no-dedup`` is ``dedup = false``, and a config file or ``CLEAN_NO_DEDUP`` may say
#: either.
NEGATED = {"no_dedup": "dedup"}
#: The HTML page models a run may use (``clean.page.model.page.HTML_MODELS``; not imported here, to keep the
#: configuration free of the learner).
HTML_MODEL_CHOICES = ("accurate", "fast")


def _read_file(path: Path, types: dict[str, str]) -> dict[str, Any]:
    """The options in a TOML file: top-level keys, or a ``[clean]`` table (``[tool.clean]`` in a pyproject.toml)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a folder, not a config file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    table = data
    if isinstance(data.get("clean"), dict):
        table = data["clean"]
    elif isinstance(data.get("tool"), dict) and isinstance(data["tool"].get("clean"), dict):
        table = data["tool"]["clean"]
    elif "tool" in data and not any(k.replace("-", "_") in types for k in data):
        table = {}  # a pyproject.toml without a [tool.clean] table: nothing for us
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name in NEGATED:  # the flag's own name: no-dedup = true
            flag = _coerce(f"{path}: {key}", value, "bool") if isinstance(value, str) else _check(name, value, "bool")
            values[NEGATED[name]] = not flag
            continue
        if name not in types:
            raise UsageError(f"{path}: unknown option {key!r}; known: {', '.join(sorted(types))}")
        values[name] = _coerce(f"{path}: {key}", value, types[name]) if isinstance(value, str) else value
    return values


#: Variables of the environment that are not options: where the compiled rule automata are cached (read where
#: they are compiled, in every worker; see ``rules.scanner``), and the command's log level for its workers
#: (``clean.logs``).
ENVIRONMENT_ONLY = frozenset({"CLEAN_CACHE_DIR", "CLEAN_LOG_LEVEL"})


def load(file: str | Path | None = None, env: dict[str, str] | None = None, **flags: Any) -> Config:
    """Resolve a Config from defaults, a TOML file, ``CLEAN_*`` variables and flags, in that order.

    Args:
        file: a TOML file with the options as top-level keys or in a ``[clean]`` table (``[tool.clean]``
            in a pyproject.toml); names as in ``Config``, ``-`` or ``_`` alike (``shard-mb = 8``).
        env: the environment to read ``CLEAN_<NAME>`` variables from (default ``os.environ``). Text is
            read as the option's type: ``true``/``false``/``1``/``0``/``yes``/``no`` for switches, and
            an empty value or ``none`` for "not set" where an option may be unset (``CLEAN_DEDUP_NGRAM=``).
        flags: values given on the command line; ``None`` means "not given".

    Raises:
        UsageError: an unknown option in the file, a value of the wrong type or out of range.
    """
    values: dict[str, Any] = {}
    types = {f.name: str(f.type) for f in fields(Config)}
    if file is not None:
        values.update(_read_file(Path(file), types))
    for key, value in (os.environ if env is None else env).items():
        if not key.startswith("CLEAN_") or key in ENVIRONMENT_ONLY:
            continue
        name = key[len("CLEAN_") :].lower()
        if name in NEGATED:
            values[NEGATED[name]] = not _coerce(key, value, "bool")
        elif name in types:
            values[name] = _coerce(key, value, types[name])
        else:
            log.warning("ignoring %s: clean has no option %r", key, name)
    values.update({k: v for k, v in flags.items() if v is not None})
    return Config().replace(**values)
