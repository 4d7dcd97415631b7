"""Corpus-step state shared with the workers through files: numpy arrays memory-mapped, ids read by position from an
Arrow file. A step's decisions over a million documents then cost each task a few page faults, not a pickle."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.ipc


def save_arrays(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    for name, values in arrays.items():
        np.save(folder / f"state.{name}.npy", values)


def load_arrays(folder: Path, names: Sequence[str]) -> dict[str, np.ndarray]:
    """The arrays ``save_arrays`` wrote, memory-mapped read-only."""
    return {name: np.load(folder / f"state.{name}.npy", mmap_mode="r") for name in names}


def write_ids(path: Path, ids: Sequence[Any]) -> None:
    table = pa.table({"id": pa.array([str(i) for i in ids], type=pa.string())})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def ids_path(folder: Path, part: str) -> Path:
    """Where a part's (a shard's, or ``prior``) document ids are kept until ``concat_ids`` joins them."""
    return folder / f"{part}.ids.arrow"


def concat_ids(path: Path, parts: Sequence[Path]) -> None:
    """The parts' ids, in order, as one file, streamed a part at a time."""
    schema = pa.schema([("id", pa.string())])
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for part in parts:
            with pa.memory_map(str(part), "r") as source:
                writer.write_table(pa.ipc.open_file(source).read_all())


class Ids:
    """Ids by position, read from an Arrow file through a memory map: what a worker needs of a million ids is the
    few its shard's clusters name."""

    def __init__(self, path: Path) -> None:
        self._column = pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all().column("id")

    def __len__(self) -> int:
        return len(self._column)

    def __getitem__(self, k: int) -> str:
        return self._column[int(k)].as_py()
