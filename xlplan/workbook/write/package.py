"""Replace xlplan's output sheets inside a workbook package, leaving every other part as it was.

Loading a workbook into openpyxl and saving it again would rewrite the planner's own sheets and
silently drop what openpyxl does not model (shapes, form buttons, images without Pillow, ...).
So the output sheets are drawn in a separate workbook, and their parts are spliced into the
user's package: the user's parts are copied byte for byte, and only the package's bookkeeping
changes (workbook.xml's sheet list and names, its relationships, the content types, and styles.xml,
to which the output sheets' cell formats are appended).

The output sheets are recorded in hidden workbook names (see ``markers.py``); a sheet with an
output sheet's name that is not recorded there is the planner's, and is never replaced.
"""

from __future__ import annotations

import copy
import io
import posixpath
import shutil
import zipfile
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass

from lxml import etree

from xlplan.workbook.addresses import sheet_of
from xlplan.workbook.write.files import WorkbookFileError
from xlplan.workbook.write.markers import (
    OutputSheetClash,
    is_marker,
    marker_names,
    refuse_clashes,
    refuse_invalid_names,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOCUMENT = f"{REL}/officeDocument"
WORKSHEET = f"{REL}/worksheet"
CALC_CHAIN = f"{REL}/calcChain"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
WORKBOOK_ORDER = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                  "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
                  "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                  "fileRecoveryPr", "webPublishObjects", "extLst")
STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
               "tableStyles", "colors", "extLst")
FIRST_CUSTOM_FORMAT = 164


def q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@dataclass
class Relationship:
    id: str
    type: str
    target: str
    """Resolved part name (for internal relationships)."""
    external: bool


class _Parts(MutableMapping[str, bytes]):
    """A package's parts by name, inflated only when asked for: a planner's workbook may hold parts
    far larger than the few xlplan touches, and the untouched ones are copied without being held."""

    def __init__(self, archive: zipfile.ZipFile, names: list[str]):
        self.archive = archive
        self.names = dict.fromkeys(names)
        self.new: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        if name in self.new:
            return self.new[name]
        if name not in self.names:
            raise KeyError(name)
        return self.archive.read(name)

    def __setitem__(self, name: str, content: bytes) -> None:
        self.names[name] = None
        self.new[name] = content

    def __delitem__(self, name: str) -> None:
        del self.names[name]
        self.new.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.names))

    def __len__(self) -> int:
        return len(self.names)


class Package:
    """An OOXML package (a zip of parts) held compressed in memory, written back part for part."""

    def __init__(self, data: bytes):
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.infos = {info.filename: info for info in self.archive.infolist() if not info.is_dir()}
        self.parts = _Parts(self.archive, list(self.infos))
        self.changed: set[str] = set()

    # ------------------------------------------------------------------ parts
    def xml(self, part: str) -> etree._Element:
        return etree.fromstring(self.parts[part], etree.XMLParser(remove_blank_text=False, resolve_entities=False))

    def put(self, part: str, content: bytes | etree._Element) -> None:
        self.parts[part] = content if isinstance(content, bytes) else _serialise(content)
        self.changed.add(part)

    def remove(self, part: str) -> None:
        self.parts.pop(part, None)
        self.parts.pop(_rels_name(part), None)

    def relationships(self, part: str) -> list[Relationship]:
        rels = _rels_name(part)
        if rels not in self.parts:
            return []
        found = []
        for element in self.xml(rels):
            external = element.get("TargetMode") == "External"
            target = element.get("Target", "")
            found.append(Relationship(element.get("Id", ""), element.get("Type", ""),
                                      target if external else _resolve(part, target), external))
        return found

    def reachable(self, roots: Iterable[str]) -> set[str]:
        """The parts reachable from ``roots`` through relationships (roots included)."""
        seen: set[str] = set()
        stack = [r for r in roots if r in self.parts]
        while stack:
            part = stack.pop()
            if part in seen:
                continue
            seen.add(part)
            stack += [r.target for r in self.relationships(part) if not r.external and r.target in self.parts]
        return seen

    def main_part(self) -> str:
        for rel in self.relationships(""):
            if rel.type == OFFICE_DOCUMENT:
                return rel.target
        raise WorkbookFileError("the file has no workbook part; it is not an Excel workbook")

    def content_type(self, part: str) -> str | None:
        types = self.xml("[Content_Types].xml")
        for element in types:
            if element.tag == q(CT, "Override") and element.get("PartName", "").lstrip("/") == part:
                return element.get("ContentType")
        extension = part.rsplit(".", 1)[-1].lower()
        for element in types:
            if element.tag == q(CT, "Default") and element.get("Extension", "").lower() == extension:
                return element.get("ContentType")
        return None

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            order = ["[Content_Types].xml"] + [p for p in self.parts if p != "[Content_Types].xml"]
            for name in order:
                if name in self.infos and name not in self.changed and name not in self.parts.new:
                    # the planner's part, streamed through unchanged (its name, date and compression)
                    # (a copy of its entry: writing an entry moves its offset, and the source is read again)
                    entry = copy.copy(self.infos[name])
                    with self.archive.open(self.infos[name]) as source, archive.open(entry, "w") as target:
                        shutil.copyfileobj(source, target, 2**20)
                else:
                    archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), self.parts[name],
                                     compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()


# ---------------------------------------------------------------------------- workbook.xml helpers
def _child(parent: etree._Element, tag: str, order: tuple[str, ...], namespace: str = MAIN) -> etree._Element:
    """The child ``tag`` of ``parent``, created in its schema position if missing."""
    found = parent.find(q(namespace, tag))
    if found is not None:
        return found
    element = etree.Element(q(namespace, tag))
    position = order.index(tag)
    for i, existing in enumerate(parent):
        local = etree.QName(existing).localname
        if local in order and order.index(local) > position:
            parent.insert(i, element)
            return element
    parent.append(element)
    return element


def recorded_outputs(package: Package) -> list[str]:
    """The sheet names the workbook records as xlplan's output sheets."""
    workbook = package.xml(package.main_part())
    names = workbook.find(q(MAIN, "definedNames"))
    recorded = [sheet_of(n.text or "") for n in (names if names is not None else ()) if is_marker(n.get("name", ""))]
    return [s for s in recorded if s]


# ---------------------------------------------------------------------------- styles
def _merge_styles(user: Package, user_styles: str, outputs: Package, output_styles: str) -> dict[int, int]:
    """Append the output workbook's cell formats to the user's styles; map output xf -> user xf."""
    target = user.xml(user_styles)
    source = outputs.xml(output_styles)

    formats = _child(target, "numFmts", STYLE_ORDER)
    known = {f.get("formatCode"): int(f.get("numFmtId")) for f in formats}
    next_id = max([FIRST_CUSTOM_FORMAT - 1, *known.values()]) + 1
    format_map: dict[int, int] = {}
    source_formats = source.find(q(MAIN, "numFmts"))
    for f in source_formats if source_formats is not None else ():
        code, old = f.get("formatCode"), int(f.get("numFmtId"))
        if code not in known:
            element = etree.SubElement(formats, q(MAIN, "numFmt"))
            element.set("numFmtId", str(next_id))
            element.set("formatCode", code)
            known[code] = next_id
            next_id += 1
        format_map[old] = known[code]
    formats.set("count", str(len(formats)))

    offsets = {}
    for container in ("fonts", "fills", "borders"):
        into = _child(target, container, STYLE_ORDER)
        offsets[container] = len(into)
        for element in source.find(q(MAIN, container)):
            into.append(copy.deepcopy(element))
        into.set("count", str(len(into)))

    xfs = _child(target, "cellXfs", STYLE_ORDER)
    xf_map = {}
    for i, xf in enumerate(source.find(q(MAIN, "cellXfs"))):
        new = copy.deepcopy(xf)
        number_format = int(new.get("numFmtId", "0"))
        new.set("numFmtId", str(format_map.get(number_format, number_format)))
        new.set("fontId", str(int(new.get("fontId", "0")) + offsets["fonts"]))
        new.set("fillId", str(int(new.get("fillId", "0")) + offsets["fills"]))
        new.set("borderId", str(int(new.get("borderId", "0")) + offsets["borders"]))
        new.set("xfId", "0")
        xf_map[i] = len(xfs)
        xfs.append(new)
    xfs.set("count", str(len(xfs)))
    user.put(user_styles, target)
    return xf_map


# ---------------------------------------------------------------------------- sheet parts
def _inline_strings(sheet: etree._Element, strings: list[str]) -> None:
    for cell in sheet.iter(q(MAIN, "c")):
        if cell.get("t") != "s":
            continue
        value = cell.find(q(MAIN, "v"))
        text = strings[int(value.text)] if value is not None and value.text else ""
        if value is not None:
            cell.remove(value)
        cell.set("t", "inlineStr")
        holder = etree.SubElement(cell, q(MAIN, "is"))
        t = etree.SubElement(holder, q(MAIN, "t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _restyle(sheet: etree._Element, xf_map: dict[int, int]) -> None:
    for tag, attribute in (("c", "s"), ("row", "s"), ("col", "style")):
        for element in sheet.iter(q(MAIN, tag)):
            if element.get(attribute) is not None:
                element.set(attribute, str(xf_map.get(int(element.get(attribute)), 0)))


def _shared_strings(outputs: Package, workbook_part: str) -> list[str]:
    for rel in outputs.relationships(workbook_part):
        if rel.type.endswith("/sharedStrings"):
            root = outputs.xml(rel.target)
            return ["".join(t.text or "" for t in si.iter(q(MAIN, "t"))) for si in root]
    return []


def _fresh_name(package: Package, part: str, taken: set[str]) -> str:
    folder, name = posixpath.split(part)
    stem, extension = name.rsplit(".", 1)
    k = 1
    while True:
        candidate = posixpath.join(folder, f"xlplan_{stem}{'' if k == 1 else k}.{extension}")
        if candidate not in package.parts and candidate not in taken:
            return candidate
        k += 1


# ---------------------------------------------------------------------------- the splice
def replace_output_sheets(user: Package, outputs: Package, names: list[str], retire: Iterable[str] = (),
                          as_outputs: bool = True, redraw: Iterable[str] = ()) -> None:
    """Write the sheets ``names`` of ``outputs`` into ``user``, replacing xlplan's earlier sheets of
    those names and removing its sheets named in ``retire``; other output sheets stay. Sheets written
    with ``as_outputs`` False become the planner's (input sheets): xlplan never replaces or clears them.
    The sheets in ``redraw`` (the Start sheet's dashboard) are drawn again in their place, and stay
    unrecorded: the planner's workbook keeps them whatever xlplan clears."""
    workbook_part = user.main_part()
    workbook = user.xml(workbook_part)
    if workbook.tag == q(STRICT_MAIN, "workbook"):
        raise WorkbookFileError("the workbook is saved as Strict Open XML; save it as an Excel Workbook (.xlsx) first")
    sheets = workbook.find(q(MAIN, "sheets"))
    recorded = set(recorded_outputs(user))
    owned = recorded | set(redraw)
    existing = [s.get("name") for s in sheets]
    refuse_invalid_names(existing)
    refuse_clashes(names, existing, owned)

    rels_part = _rels_name(workbook_part)
    rels = user.xml(rels_part)
    rel_by_id = {r.get("Id"): r for r in rels}
    active_name = _active_sheet(workbook, existing)

    # 1. remove the old output sheets and every part only they used
    leaving = owned & (set(names) | set(retire))
    removed_indexes = [i for i, sheet in enumerate(sheets) if sheet.get("name") in leaving]
    insert_at = removed_indexes[0] if removed_indexes else len(existing)
    removed_parts = set()
    for index in reversed(removed_indexes):
        element = sheets[index]
        rid = element.get(q(REL, "id"))
        relationship = rel_by_id.pop(rid, None)
        if relationship is not None:
            removed_parts.add(_resolve(workbook_part, relationship.get("Target")))
            rels.remove(relationship)
        sheets.remove(element)
    user.put(rels_part, rels)
    doomed = user.reachable(removed_parts)
    doomed -= user.reachable([p for p in user.parts if p not in doomed and not p.endswith(".rels")] + [""])
    for part in doomed:
        user.remove(part)

    # calcChain lists formula cells by sheet; Excel rebuilds it, so drop it rather than patch it
    for relationship in list(rels):
        if relationship.get("Type") == CALC_CHAIN:
            doomed.add(_resolve(workbook_part, relationship.get("Target")))
            user.remove(_resolve(workbook_part, relationship.get("Target")))
            rels.remove(relationship)

    # 2. bring in the new output sheets
    output_workbook = outputs.main_part()
    output_book = outputs.xml(output_workbook)
    output_rels = {r.id: r for r in outputs.relationships(output_workbook)}
    strings = _shared_strings(outputs, output_workbook)
    styles_rel = next((r for r in user.relationships(workbook_part) if r.type.endswith("/styles")), None)
    output_styles = next(r.target for r in output_rels.values() if r.type.endswith("/styles"))
    if styles_rel is None:
        raise WorkbookFileError("the workbook has no styles part; open it in Excel and save it again")
    xf_map = _merge_styles(user, styles_rel.target, outputs, output_styles)

    types = user.xml("[Content_Types].xml")
    for override in list(types):
        if override.tag == q(CT, "Override") and override.get("PartName", "").lstrip("/") in doomed:
            types.remove(override)
    table_ids, user_tables = _tables(user)
    next_sheet_id = max([int(s.get("sheetId")) for s in sheets] + [0]) + 1
    next_rid = max([int(r.get("Id")[3:]) for r in rels if r.get("Id", "").startswith("rId")
                    and r.get("Id")[3:].isdigit()] + [0]) + 1
    for position, element in enumerate(
            [s for s in output_book.find(q(MAIN, "sheets")) if s.get("name") in names]):
        source_part = output_rels[element.get(q(REL, "id"))].target
        closure = sorted(outputs.reachable([source_part]))
        renamed: dict[str, str] = {}
        for part in closure:
            renamed[part] = _fresh_name(user, part, set(renamed.values()))
        for part in closure:
            new_part = renamed[part]
            content_type = outputs.content_type(part)
            content: bytes | etree._Element = outputs.parts[part]
            if part == source_part:
                content = _adapt_sheet(outputs.xml(part), strings, xf_map)
            elif content_type and content_type.endswith(".table+xml"):
                content = outputs.xml(part)
                if content.get("name", "").lower() in user_tables:
                    raise OutputSheetClash(f"the workbook has its own table '{content.get('name')}'; "
                                           "rename it and solve again")
                table_ids += 1
                content.set("id", str(table_ids))
            user.put(new_part, content)
            part_rels = outputs.relationships(part)
            if part_rels:
                rel_root = etree.Element(q(PKG_REL, "Relationships"), nsmap={None: PKG_REL})
                for rel in part_rels:
                    child = etree.SubElement(rel_root, q(PKG_REL, "Relationship"))
                    child.set("Id", rel.id)
                    child.set("Type", rel.type)
                    if rel.external:
                        child.set("Target", rel.target)
                        child.set("TargetMode", "External")
                    else:
                        child.set("Target", _relative(new_part, renamed[rel.target]))
                user.put(_rels_name(new_part), rel_root)
            if content_type:
                override = etree.SubElement(types, q(CT, "Override"))
                override.set("PartName", "/" + new_part)
                override.set("ContentType", content_type)
        rid = f"rId{next_rid}"
        next_rid += 1
        relationship = etree.SubElement(rels, q(PKG_REL, "Relationship"))
        relationship.set("Id", rid)
        relationship.set("Type", WORKSHEET)
        relationship.set("Target", _relative(workbook_part, renamed[source_part]))
        sheet = etree.Element(q(MAIN, "sheet"))
        sheet.set("name", element.get("name"))
        sheet.set("sheetId", str(next_sheet_id))
        sheet.set(q(REL, "id"), rid)
        next_sheet_id += 1
        sheets.insert(insert_at + position, sheet)

    # 3. bookkeeping: sheet-local names follow their sheets, record the outputs, recalculate
    #    formulas on open, keep the active tab
    _remap_local_names(workbook, existing, [s.get("name") for s in sheets], leaving)
    _copy_names(output_book, workbook, [s.get("name") for s in sheets])
    _drop_names_of_removed_sheets(workbook, {s.get("name") for s in sheets})
    _record_outputs(workbook, [n for n in existing if n in recorded and n not in leaving]
                    + ([n for n in names if n not in owned - recorded] if as_outputs else []))
    calc = _child(workbook, "calcPr", WORKBOOK_ORDER)
    calc.set("fullCalcOnLoad", "1")
    _set_active(workbook, [s.get("name") for s in sheets], active_name)
    user.put(workbook_part, workbook)
    user.put(rels_part, rels)
    user.put("[Content_Types].xml", types)


def _adapt_sheet(sheet: etree._Element, strings: list[str], xf_map: dict[int, int]) -> etree._Element:
    """An output sheet made fit for the user's package: its own strings, the merged styles, and
    not selected (two selected tabs would group the sheets in Excel)."""
    _inline_strings(sheet, strings)
    _restyle(sheet, xf_map)
    for view in sheet.iter(q(MAIN, "sheetView")):
        view.attrib.pop("tabSelected", None)
    return sheet


def _tables(package: Package) -> tuple[int, set[str]]:
    """The highest table id in the package and the tables' names (lower case)."""
    highest, names = 0, set()
    for part in package.parts:
        content_type = package.content_type(part) if part.endswith(".xml") else None
        if content_type and content_type.endswith(".table+xml"):
            table = package.xml(part)
            highest = max(highest, int(table.get("id", "0")))
            names.add(table.get("name", "").lower())
    return highest, names


def _remap_local_names(workbook: etree._Element, before: list[str], after: list[str], owned: set[str]) -> None:
    """Names scoped to a sheet (print areas, filters) point at it by index: follow the sheet to its
    new index, and drop those of removed output sheets."""
    names = workbook.find(q(MAIN, "definedNames"))
    for name in list(names) if names is not None else ():
        local = name.get("localSheetId")
        if local is None or not local.isdigit() or int(local) >= len(before):
            continue
        sheet = before[int(local)]
        if sheet in owned or sheet not in after:
            names.remove(name)
        else:
            name.set("localSheetId", str(after.index(sheet)))


PRINTED_NAMES = ("_xlnm.Print_Titles", "_xlnm.Print_Area")
"""Sheet-local names of an output sheet's page setup that follow it into the workbook."""


def _copy_names(source: etree._Element, target: etree._Element, names: list[str]) -> None:
    """The output workbook's own names (over its tables) join the workbook, replacing earlier ones;
    an output sheet's rows repeated on printed pages follow that sheet to its place (``names``: the
    workbook's sheets, in order)."""
    incoming = source.find(q(MAIN, "definedNames"))
    if incoming is None:
        return
    defined = _child(target, "definedNames", WORKBOOK_ORDER)
    output_sheets = [s.get("name") for s in source.find(q(MAIN, "sheets"))]
    for name in incoming:
        local = name.get("localSheetId")
        if name.get("name") in PRINTED_NAMES and local is not None and local.isdigit() \
                and int(local) < len(output_sheets) and output_sheets[int(local)] in names:
            printed = copy.deepcopy(name)
            printed.set("localSheetId", str(names.index(output_sheets[int(local)])))
            key = (name.get("name"), printed.get("localSheetId"))
            for existing in list(defined):  # one of each per sheet, however often the sheet is written
                if (existing.get("name"), existing.get("localSheetId")) == key:
                    defined.remove(existing)
            defined.append(printed)
            continue
        if local is not None or name.get("name", "").startswith("_xlnm"):
            continue
        for existing in list(defined):
            if existing.get("name") == name.get("name") and existing.get("localSheetId") is None:
                defined.remove(existing)
        defined.append(copy.deepcopy(name))


def _drop_names_of_removed_sheets(workbook: etree._Element, sheets: set[str]) -> None:
    """xlplan's names over a sheet that is gone (a plan's Sensitivity once another plan is adopted): left,
    they would read as defined (a link to the sheet on Start) and Excel would show them as #REF!."""
    defined = workbook.find(q(MAIN, "definedNames"))
    if defined is None:
        return
    for name in list(defined):
        owner = sheet_of(name.text or "")
        if name.get("name", "").lower().startswith("xlplan_") and name.get("localSheetId") is None \
                and owner is not None and owner not in sheets:
            defined.remove(name)


def _record_outputs(workbook: etree._Element, names: list[str]) -> None:
    defined = _child(workbook, "definedNames", WORKBOOK_ORDER)
    for name in list(defined):
        if is_marker(name.get("name", "")):
            defined.remove(name)
    for name, reference in marker_names(names).items():
        marker = etree.SubElement(defined, q(MAIN, "definedName"))
        marker.set("name", name)
        marker.set("hidden", "1")
        marker.text = reference


def _active_sheet(workbook: etree._Element, names: list[str]) -> str | None:
    views = workbook.find(q(MAIN, "bookViews"))
    view = views[0] if views is not None and len(views) else None
    index = int(view.get("activeTab", "0")) if view is not None else 0
    return names[index] if 0 <= index < len(names) else None


def _set_active(workbook: etree._Element, names: list[str], active: str | None) -> None:
    views = workbook.find(q(MAIN, "bookViews"))
    if views is None or not len(views):
        return
    view = views[0]
    index = names.index(active) if active in names else 0
    view.set("activeTab", str(index))
    if int(view.get("firstSheet", "0")) >= len(names):
        view.set("firstSheet", "0")
