"""Write a Compound File Binary (the OLE container of ``vbaProject.bin``), per [MS-CFB] version 3.

olefile reads such files and can overwrite a stream only with one of the same size; no maintained,
licensed Python package writes new ones, and the add-in's VBA (``vba_project.py``) changes the size of
its streams. The files written here are small (a VBA project), so the layout is the simplest valid one:
no DIFAT sectors, the FAT first, then the directory, the mini FAT, the mini stream and the large streams,
and every storage's children in a red-black tree made balanced from the sorted names.
Every time stamp is zero, so the same streams always give the same bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_STREAM_CUTOFF = 4096
ENTRY = 128
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
HEADER_FAT_ENTRIES = 109
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1


@dataclass
class Storage:
    """A storage (folder) of streams (``bytes``) and storages, by name."""

    children: dict[str, Storage | bytes] = field(default_factory=dict)


def _name_key(name: str) -> tuple[int, str]:
    """[MS-CFB] 2.6.4: shorter names first, then by upper-case code points."""
    return len(name.encode("utf-16-le")), name.upper()


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _balanced(entries: list[_Entry], ids: list[int], depth: int = 0) -> tuple[int, list[tuple[int, int]]]:
    """The root id of a balanced tree of ``ids`` (sorted), and every node's (id, depth)."""
    if not ids:
        return NOSTREAM, []
    middle = len(ids) // 2
    left, left_depths = _balanced(entries, ids[:middle], depth + 1)
    right, right_depths = _balanced(entries, ids[middle + 1:], depth + 1)
    node = entries[ids[middle]]
    node.left, node.right = left, right
    return ids[middle], [(ids[middle], depth), *left_depths, *right_depths]


def _tree(entries: list[_Entry], ids: list[int]) -> int:
    """Link ``ids`` as a red-black tree: balanced from the sorted names, the deepest level red when it is
    not full (every path from the root then passes the same number of black nodes)."""
    ordered = sorted(ids, key=lambda i: _name_key(entries[i].name))
    root, depths = _balanced(entries, ordered)
    deepest = max((d for _, d in depths), default=0)
    full = len(ordered) == 2 ** (deepest + 1) - 1
    for node, depth in depths:
        entries[node].color = RED if depth == deepest and deepest > 0 and not full else BLACK
    return root


def _flatten(storage: Storage) -> list[_Entry]:
    entries = [_Entry("Root Entry", ROOT)]

    def add(parent: int, folder: Storage) -> None:
        for name, content in folder.children.items():
            if len(name) > 31:
                raise ValueError(f"compound file names have at most 31 characters: {name!r}")
            entries.append(_Entry(name, STREAM, content) if isinstance(content, bytes) else _Entry(name, STORAGE))
            entries[parent].children.append(len(entries) - 1)
            if not isinstance(content, bytes):
                add(len(entries) - 1, content)

    add(0, storage)
    for entry in entries:
        entry.child = _tree(entries, entry.children)
    return entries


def _chain(fat: list[int], first: int, count: int) -> None:
    for k in range(count):
        fat[first + k] = first + k + 1 if k + 1 < count else ENDOFCHAIN


def _padded(data: bytes, unit: int) -> bytes:
    return data + b"\0" * (-len(data) % unit)


def compound_file(root: Storage) -> bytes:
    """The bytes of a compound file holding ``root``'s streams and storages."""
    entries = _flatten(root)
    small = [e for e in entries if e.kind == STREAM and len(e.data) < MINI_STREAM_CUTOFF]
    large = [e for e in entries if e.kind == STREAM and len(e.data) >= MINI_STREAM_CUTOFF]

    mini_stream, mini_fat = b"", []
    for entry in small:
        entry.size = len(entry.data)
        if not entry.data:
            continue
        entry.start = len(mini_stream) // MINI_SECTOR
        sectors = -(-len(entry.data) // MINI_SECTOR)
        mini_fat += [entry.start + k + 1 if k + 1 < sectors else ENDOFCHAIN for k in range(sectors)]
        mini_stream += _padded(entry.data, MINI_SECTOR)

    def sectors_of(size: int) -> int:
        return -(-size // SECTOR)

    directory_sectors = sectors_of(len(entries) * ENTRY)
    mini_fat_sectors = sectors_of(len(mini_fat) * 4)
    mini_stream_sectors = sectors_of(len(mini_stream))
    large_sectors = [sectors_of(len(e.data)) for e in large]
    others = directory_sectors + mini_fat_sectors + mini_stream_sectors + sum(large_sectors)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < others + fat_sectors:
        fat_sectors += 1
    if fat_sectors > HEADER_FAT_ENTRIES:
        raise ValueError("too large for a compound file without DIFAT sectors")

    fat = [FREESECT] * (fat_sectors * SECTOR // 4)
    for k in range(fat_sectors):
        fat[k] = FATSECT
    position = fat_sectors
    first_directory = position
    _chain(fat, position, directory_sectors)
    position += directory_sectors
    first_mini_fat = position if mini_fat_sectors else ENDOFCHAIN
    _chain(fat, position, mini_fat_sectors)
    position += mini_fat_sectors
    entries[0].start = position if mini_stream_sectors else ENDOFCHAIN
    entries[0].size = len(mini_stream)
    _chain(fat, position, mini_stream_sectors)
    position += mini_stream_sectors
    for entry, count in zip(large, large_sectors, strict=True):
        entry.start, entry.size = position, len(entry.data)
        _chain(fat, position, count)
        position += count

    header = bytearray(SECTOR)
    header[0:8] = SIGNATURE
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, fat_sectors, first_directory, 0, MINI_STREAM_CUTOFF,
                     first_mini_fat, mini_fat_sectors, ENDOFCHAIN, 0)
    difat = list(range(fat_sectors)) + [FREESECT] * (HEADER_FAT_ENTRIES - fat_sectors)
    struct.pack_into(f"<{HEADER_FAT_ENTRIES}I", header, 76, *difat)

    directory = bytearray()
    for entry in entries:
        name = (entry.name + "\0").encode("utf-16-le")
        record = bytearray(ENTRY)
        record[0:len(name)] = name
        struct.pack_into("<HBBIII", record, 64, len(name), entry.kind, entry.color, entry.left, entry.right,
                         entry.child)
        struct.pack_into("<IQ", record, 116, entry.start if entry.kind != STORAGE else 0,
                         entry.size if entry.kind != STORAGE else 0)
        directory += record
    unused = bytearray(ENTRY)
    struct.pack_into("<III", unused, 68, NOSTREAM, NOSTREAM, NOSTREAM)
    directory += unused * (directory_sectors * SECTOR // ENTRY - len(entries))

    body = [struct.pack(f"<{len(fat)}I", *fat), bytes(directory),
            struct.pack(f"<{mini_fat_sectors * SECTOR // 4}I",
                        *mini_fat, *[FREESECT] * (mini_fat_sectors * SECTOR // 4 - len(mini_fat))),
            _padded(mini_stream, SECTOR)]
    body += [_padded(e.data, SECTOR) for e in large]
    return bytes(header) + b"".join(body)
