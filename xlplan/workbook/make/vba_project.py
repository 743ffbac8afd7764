"""Change a VBA project (``vbaProject.bin``) per [MS-OVBA]: rename the project, replace or rename a module's
source. Used to make the add-in's VBA from xlwings' own ribbon add-in, whose xlwings module (BSD-3) is kept.

A module stream holds the compiled p-code and then, at the module's ``MODULEOFFSET``, its compressed
source. A changed module is written as source only (offset 0). The project carries no performance cache
(its ``_VBA_PROJECT`` version is 0xFFFF, as in xlwings' file): Excel compiles the source when it opens the
add-in, so the p-code left in other modules' streams is never used.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from xlplan.workbook.make.compound_file import Storage, compound_file

CHUNK = 4096
CODE_PAGE = "cp1252"
NO_CACHE = bytes.fromhex("cc61ffff000000")
"""``_VBA_PROJECT`` with version 0xFFFF: no compiled cache, Excel compiles the source."""


# ---------------------------------------------------------------------------- [MS-OVBA] 2.4.1 compression
def decompress(container: bytes) -> bytes:
    """The bytes of a CompressedContainer."""
    if not container or container[0] != 1:
        raise ValueError("not a VBA compressed container")
    out = bytearray()
    position = 1
    while position < len(container):
        header = struct.unpack_from("<H", container, position)[0]
        size, compressed = (header & 0x0FFF) + 3, bool(header & 0x8000)
        data = container[position + 2:position + size]
        position += size
        start = len(out)
        if not compressed:
            out += data[:CHUNK]
            continue
        k = 0
        while k < len(data):
            flags = data[k]
            k += 1
            for bit in range(8):
                if k >= len(data):
                    break
                if not flags & (1 << bit):
                    out.append(data[k])
                    k += 1
                    continue
                token = struct.unpack_from("<H", data, k)[0]
                k += 2
                bits = max((len(out) - start - 1).bit_length(), 4)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    """One chunk's tokens: a copy token for the longest earlier match of 3 bytes or more (the nearest of
    equal ones, as [MS-OVBA] 2.4.1.3.19.4 matches), else a literal. Earlier positions are found by their
    first three bytes."""
    tokens = bytearray()
    seen: dict[bytes, list[int]] = {}
    position = remembered = 0
    while position < len(chunk):
        flags, group = 0, bytearray()
        for bit in range(8):
            if position >= len(chunk):
                break
            bits = max((position - 1).bit_length(), 4)
            most = min((0xFFFF >> bits) + 3, len(chunk) - position)
            best_length, best_offset = 0, 0
            for candidate in reversed(seen.get(chunk[position:position + 3], ())):
                length = 0
                while length < most and chunk[candidate + length] == chunk[position + length]:
                    length += 1
                if length > best_length:
                    best_length, best_offset = length, position - candidate
                    if length == most:
                        break
            if best_length >= 3:
                flags |= 1 << bit
                group += struct.pack("<H", ((best_offset - 1) << (16 - bits)) | (best_length - 3))
                position += best_length
            else:
                group.append(chunk[position])
                position += 1
            for k in range(remembered, position):
                seen.setdefault(chunk[k:k + 3], []).append(k)
            remembered = position
        tokens.append(flags)
        tokens += group
    return bytes(tokens)


def compress(data: bytes) -> bytes:
    """A CompressedContainer of ``data``: each chunk compressed, or stored raw where that is shorter."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        chunk = data[start:start + CHUNK]
        tokens = _compress_chunk(chunk)
        if len(tokens) > CHUNK - 2 and len(chunk) == CHUNK:  # raw: exactly 4,096 bytes, flag bit clear
            out += struct.pack("<H", 0x3000 | (CHUNK + 2 - 3)) + chunk
        else:
            out += struct.pack("<H", 0xB000 | (len(tokens) + 2 - 3)) + tokens
    return bytes(out)


# ---------------------------------------------------------------------------- [MS-OVBA] 2.3.4.2 dir stream
PROJECTNAME, PROJECTVERSION = 0x0004, 0x0009
MODULENAME, MODULENAMEUNICODE, MODULESTREAMNAME, MODULESTREAMNAMEUNICODE, MODULEOFFSET = (
    0x0019, 0x0047, 0x001A, 0x0032, 0x0031)


@dataclass
class Record:
    kind: int
    data: bytes

    def packed(self) -> bytes:
        if self.kind == PROJECTVERSION:  # its size field says 4, six bytes follow
            return struct.pack("<HI", self.kind, 4) + self.data
        return struct.pack("<HI", self.kind, len(self.data)) + self.data


def records(dir_stream: bytes) -> list[Record]:
    found, position = [], 0
    while position < len(dir_stream):
        kind, size = struct.unpack_from("<HI", dir_stream, position)
        size = 6 if kind == PROJECTVERSION else size
        found.append(Record(kind, dir_stream[position + 6:position + 6 + size]))
        position += 6 + size
    return found


@dataclass
class VbaProject:
    """The streams of a VBA project, decoded where they are changed."""

    project: str
    """The PROJECT stream's text."""
    names: bytes
    """The PROJECTwm stream."""
    dir: list[Record]
    modules: dict[str, bytes]
    """Each module's source (decompressed), by module name."""
    streams: dict[str, bytes]
    """Every other stream of the VBA storage, unchanged (``dir`` and ``_VBA_PROJECT`` are rewritten)."""

    @classmethod
    def read(cls, path: str | Path) -> VbaProject:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry): ole.openstream(entry).read() for entry in ole.listdir()}
        directory = records(decompress(streams.pop("VBA/dir")))
        modules, offset_of = {}, {}
        name = None
        for record in directory:
            if record.kind == MODULESTREAMNAME:
                name = record.data.decode(CODE_PAGE)
            elif record.kind == MODULEOFFSET and name is not None:
                offset_of[name] = struct.unpack("<I", record.data)[0]
        for name, offset in offset_of.items():
            modules[name] = decompress(streams.pop(f"VBA/{name}")[offset:])
        streams.pop("VBA/_VBA_PROJECT")
        return cls(streams.pop("PROJECT").decode(CODE_PAGE), streams.pop("PROJECTwm"), directory, modules, streams)

    def rename_project(self, name: str) -> None:
        old = next(r for r in self.dir if r.kind == PROJECTNAME).data.decode(CODE_PAGE)
        for record in self.dir:
            if record.kind == PROJECTNAME:
                record.data = name.encode(CODE_PAGE)
        self.project = self.project.replace(f'Name="{old}"', f'Name="{name}"')

    def replace_module(self, old: str, new: str, source: str) -> None:
        """Module ``old`` becomes module ``new`` with ``source`` (its ``Attribute VB_Name`` line is added)."""
        text = f'Attribute VB_Name = "{new}"\r\n' + source.replace("\r\n", "\n").replace("\n", "\r\n")
        del self.modules[old]
        self.modules[new] = text.encode(CODE_PAGE)
        renamed = {MODULENAME: new.encode(CODE_PAGE), MODULESTREAMNAME: new.encode(CODE_PAGE),
                   MODULENAMEUNICODE: new.encode("utf-16-le"), MODULESTREAMNAMEUNICODE: new.encode("utf-16-le")}
        inside = False
        for record in self.dir:
            if record.kind == MODULENAME:
                inside = record.data == old.encode(CODE_PAGE)
            if inside and record.kind in renamed:
                record.data = renamed[record.kind]
        self.project = "\r\n".join(
            f"Module={new}" if line == f"Module={old}" else
            new + line[len(old):] if line.startswith(f"{old}=") else line for line in self.project.split("\r\n"))
        self.names = self.names.replace(old.encode(CODE_PAGE) + b"\0" + old.encode("utf-16-le") + b"\0\0",
                                        new.encode(CODE_PAGE) + b"\0" + new.encode("utf-16-le") + b"\0\0")

    def edit_module(self, name: str, old: str, new: str) -> None:
        """Replace text ``old`` (which must be there) by ``new`` in module ``name``'s source."""
        source = self.modules[name].decode(CODE_PAGE)
        if old not in source:
            raise ValueError(f"module {name} does not contain {old!r}")
        self.modules[name] = source.replace(old, new).encode(CODE_PAGE)

    def to_bytes(self) -> bytes:
        for record in self.dir:
            if record.kind == MODULEOFFSET:
                record.data = struct.pack("<I", 0)
        vba = Storage({"_VBA_PROJECT": NO_CACHE, "dir": compress(b"".join(r.packed() for r in self.dir)),
                       **{name: compress(source) for name, source in self.modules.items()}})
        for path, data in self.streams.items():
            folder, _, name = path.rpartition("/")
            if folder == "VBA":
                vba.children[name] = data
        root = Storage({"PROJECT": self.project.encode(CODE_PAGE), "PROJECTwm": self.names, "VBA": vba})
        for path, data in self.streams.items():
            if "/" not in path:
                root.children[path] = data
        return compound_file(root)
