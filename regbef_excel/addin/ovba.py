"""Write a VBA project (``vbaProject.bin``) from module sources, reproducibly.

Implements the parts of [MS-OVBA] and [MS-CFB] an Office VBA project needs, and nothing else:

* the compression of [MS-OVBA] §2.4.1 (:func:`compress`);
* the ``PROJECT`` stream with the protection fields (CMG, DPB, GC) in the data encryption of
  §2.4.3 (:func:`encrypt`) — no password, visible, unlocked;
* the ``VBA/dir`` stream (§2.3.4.2): project information, references (stdole and the Office
  object library, which declares ``IRibbonControl``) and module records;
* ``VBA/_VBA_PROJECT`` with version ``0xFFFF``: there is no compiled (p-code) performance cache,
  so Office compiles the project from the source text on first open. The Excel-made add-in
  templates xlwings ships are stored the same way;
* one compressed stream per module, class modules with the attributes Excel stores for every
  class (``VB_Base``, ``VB_TemplateDerived``, ``VB_Customizable``; :func:`class_attributes`);
* the ``PROJECTwm`` stream (§2.3.3: module names in MBCS and UTF-16), which Excel writes;
* a compound file (version 3, 512-byte sectors, mini stream for streams under 4096 bytes) with
  every timestamp zero, storages starting at sector 0 as [MS-CFB] 2.6.3 requires and a fixed project id, so the same sources give the same bytes.

Why not a library: PyPI ``ms-ovba`` 0.0.1 writes its intermediate files into the working
directory and randomises the encryption seed (two builds differ); the format pieces needed here
are small and are checked by an independent reader (``oletools.olevba``) in the tests.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from typing import Literal

CODEPAGE = 1252
_ENC = "cp1252"

# --------------------------------------------------------------------------------------------
# Compression ([MS-OVBA] 2.4.1)
# --------------------------------------------------------------------------------------------
_CHUNK = 4096


def _copy_token_help(difference: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) for a position ``difference`` into a chunk."""
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(data: bytes) -> bytes:
    out = bytearray()
    pos, end = 0, len(data)
    heads: dict[bytes, list[int]] = {}
    while pos < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_len, best_off = 0, 0
            if pos >= 1 and pos + 3 <= end:
                bit_count, max_len = _copy_token_help(pos)
                limit = min(max_len, end - pos)
                for cand in reversed(heads.get(data[pos : pos + 3], [])[-64:]):
                    n = 3
                    while n < limit and data[cand + n] == data[pos + n]:
                        n += 1
                    if n > best_len:
                        best_len, best_off = n, pos - cand
                        if n == limit:
                            break
            if best_len >= 3:
                bit_count, _ = _copy_token_help(pos)
                token = ((best_off - 1) << (16 - bit_count)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                step = best_len
            else:
                out.append(data[pos])
                step = 1
            for p in range(pos, pos + step):
                if p + 3 <= end:
                    heads.setdefault(data[p : p + 3], []).append(p)
            pos += step
        out[flag_index] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` as a CompressedContainer ([MS-OVBA] 2.4.1.1.1)."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        chunk = data[start : start + _CHUNK]
        body = _compress_chunk(chunk)
        if len(body) > _CHUNK:
            # incompressible: a raw chunk, padded to 4096 bytes as §2.4.1.3.7 prescribes (only
            # the last chunk can be short; source text never gets here)
            out += struct.pack("<H", 0x3000 | (_CHUNK + 2 - 3)) + chunk + bytes(_CHUNK - len(chunk))
        else:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
    return bytes(out)


# --------------------------------------------------------------------------------------------
# Data encryption of the PROJECT stream ([MS-OVBA] 2.4.3)
# --------------------------------------------------------------------------------------------
def encrypt(data: bytes, project_id: str, seed: int) -> str:
    """Encrypt ``data`` for CMG/DPB/GC; returns the hex text. ``seed`` fixes the output."""
    version = 2
    proj_key = sum(project_id.encode(_ENC)) & 0xFF
    # the running state starts from the *encrypted* version and key bytes (§2.4.3.2)
    unenc_1, enc_1, enc_2 = proj_key, seed ^ proj_key, seed ^ version
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    ignored = (seed & 6) // 2

    def put(byte: int) -> None:
        nonlocal unenc_1, enc_1, enc_2
        enc = byte ^ ((enc_2 + unenc_1) & 0xFF)
        out.append(enc)
        enc_2, enc_1, unenc_1 = enc_1, enc, byte

    for _ in range(ignored):
        put(0)
    for b in struct.pack("<I", len(data)) + data:
        put(b)
    return out.hex().upper()


def decrypt(text: str, project_id: str | None = None) -> bytes:
    """Inverse of :func:`encrypt` (used by the tests to read Excel-made and built projects)."""
    raw = bytes.fromhex(text)
    seed, version_enc, proj_key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError("not MS-OVBA encrypted data (version is not 2)")
    proj_key = seed ^ proj_key_enc
    if project_id is not None and proj_key != sum(project_id.encode(_ENC)) & 0xFF:
        raise ValueError("project key does not match the project id")
    unenc_1, enc_1, enc_2 = proj_key, proj_key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((enc_2 + unenc_1) & 0xFF)
        plain.append(byte)
        enc_2, enc_1, unenc_1 = enc_1, enc, byte
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, ignored)[0]
    return bytes(plain[ignored + 4 : ignored + 4 + length])


# --------------------------------------------------------------------------------------------
# The VBA project
# --------------------------------------------------------------------------------------------
ModuleKind = Literal["standard", "class", "document"]

#: Type library GUIDs of the document modules' base classes (Excel).
DOCUMENT_BASE = {
    "workbook": "{00020819-0000-0000-C000-000000000046}",
    "worksheet": "{00020820-0000-0000-C000-000000000046}",
}


#: Type library GUID of a class module's base (``VB_Base``), as Excel writes it.
CLASS_BASE = "{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"

#: The attributes Excel stores at the top of every class module, in its order (values are the
#: defaults of a new class; a value in the source wins).
CLASS_ATTRIBUTES = (
    ("VB_Name", None),
    ("VB_Base", f'"0{CLASS_BASE}"'),
    ("VB_GlobalNameSpace", "False"),
    ("VB_Creatable", "False"),
    ("VB_PredeclaredId", "False"),
    ("VB_Exposed", "False"),
    ("VB_TemplateDerived", "False"),
    ("VB_Customizable", "False"),
)

_ATTRIBUTE = re.compile(r"^Attribute\s+(VB_\w+)\s*=\s*(.*)$")


def class_attributes(lines: list[str]) -> list[str]:
    """The lines of a class module with its header attributes as Excel stores them.

    An exported ``.cls`` (e.g. xlwings' ``Dictionary.cls``) lacks ``VB_Base``,
    ``VB_TemplateDerived`` and ``VB_Customizable``; Excel writes all eight of
    :data:`CLASS_ATTRIBUTES` in that order, then any other attribute (``VB_Description``).
    """
    head: dict[str, str] = {}
    i = 0
    while i < len(lines) and (m := _ATTRIBUTE.match(lines[i])):
        head[m.group(1)] = m.group(2)
        i += 1
    if "VB_Name" not in head:
        raise ValueError("a class module must start with Attribute VB_Name")
    out = []
    for key, default in CLASS_ATTRIBUTES:
        value = head.pop(key, default)
        out.append(f"Attribute {key} = {value}")
    out += [f"Attribute {k} = {v}" for k, v in head.items()]
    return out + lines[i:]


@dataclass
class Module:
    """One VBA module: its name, kind and source text (attribute lines included, as exported)."""

    name: str
    kind: ModuleKind
    source: str

    def stream_text(self) -> bytes:
        """The source as stored: CRLF line ends, cp1252, no class-file header."""
        lines = self.source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if self.kind == "class" and lines and lines[0].startswith("VERSION "):
            # an exported .cls starts with VERSION/BEGIN…END; the stream does not
            end = next(i for i, line in enumerate(lines) if line.strip() == "END")
            lines = lines[end + 1 :]
        if self.kind == "class":
            lines = class_attributes(lines)
        while lines and lines[-1] == "":
            lines.pop()
        return ("\r\n".join(lines) + "\r\n").encode(_ENC)


def document_module(name: str, base: Literal["workbook", "worksheet"], code: str = "") -> Module:
    """A document module (``ThisWorkbook`` or a sheet) with Excel's standard attributes."""
    attrs = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "0{DOCUMENT_BASE[base]}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return Module(name, "document", "\n".join(attrs) + ("\n" + code if code else ""))


@dataclass(frozen=True)
class Reference:
    """A registered type library reference (REFERENCEREGISTERED)."""

    name: str
    libid: str


#: The references Excel puts into every new project (VBA and Excel themselves are implicit).
STANDARD_REFERENCES = (
    Reference("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
              "C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),  # fmt: skip
    Reference("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
              "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL#"
              "Microsoft Office 16.0 Object Library"),  # fmt: skip
)


@dataclass
class VbaProject:
    """A VBA project to be written as ``vbaProject.bin``."""

    modules: list[Module]
    name: str = "VBAProject"
    project_id: str = "{00000000-0000-0000-0000-000000000000}"
    references: tuple[Reference, ...] = STANDARD_REFERENCES
    #: Fixed encryption seed (any byte); fixes the CMG/DPB/GC text.
    seed: int = 0x11
    constants: str = ""
    lcid: int = 0x0409
    version_major: int = 1
    version_minor: int = 1
    extra_project_lines: list[str] = field(default_factory=list)

    # ---------------------------------------------------------------- streams
    def project_stream(self) -> bytes:
        """The PROJECT stream ([MS-OVBA] 2.3.1): module list, name, protection, workspace."""
        # protection state 0 (unlocked), no password (one NUL byte), visible (0xFF)
        cmg = encrypt(bytes(4), self.project_id, self.seed)
        dpb = encrypt(bytes(1), self.project_id, (self.seed + 1) & 0xFF)
        gc = encrypt(b"\xff", self.project_id, (self.seed + 2) & 0xFF)
        lines = [f'ID="{self.project_id}"']
        for m in self.modules:
            if m.kind == "document":
                lines.append(f"Document={m.name}/&H00000000")
            elif m.kind == "class":
                lines.append(f"Class={m.name}")
            else:
                lines.append(f"Module={m.name}")
        lines += [
            f'Name="{self.name}"',
            'HelpContextID="0"',
            'VersionCompatible32="393222000"',
            f'CMG="{cmg}"',
            f'DPB="{dpb}"',
            f'GC="{gc}"',
            *self.extra_project_lines,
            "",
            "[Host Extender Info]",
            "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
            "",
            "[Workspace]",
            *[f"{m.name}=0, 0, 0, 0, C" for m in self.modules],
            "",
        ]
        return "\r\n".join(lines).encode(_ENC)

    def projectwm_stream(self) -> bytes:
        """The ``PROJECTwm`` stream ([MS-OVBA] 2.3.3): each module name in MBCS and in UTF-16,
        each NUL-terminated, then a two-byte terminator."""
        out = bytearray()
        for m in self.modules:
            out += m.name.encode(_ENC) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
        return bytes(out + b"\x00\x00")

    def dir_stream(self) -> bytes:
        """The uncompressed ``dir`` stream ([MS-OVBA] 2.3.4.2)."""

        def rec(rid: int, data: bytes) -> bytes:
            return struct.pack("<HI", rid, len(data)) + data

        def text_pair(rid: int, rid_unicode: int, s: str) -> bytes:
            return rec(rid, s.encode(_ENC)) + rec(rid_unicode, s.encode("utf-16-le"))

        out = bytearray()
        out += rec(0x0001, struct.pack("<I", 1))  # SYSKIND: Win32 (as Excel writes)
        out += rec(0x0002, struct.pack("<I", self.lcid))
        out += rec(0x0014, struct.pack("<I", self.lcid))
        out += rec(0x0003, struct.pack("<H", CODEPAGE))
        out += rec(0x0004, self.name.encode(_ENC))
        out += text_pair(0x0005, 0x0040, "")  # doc string
        out += text_pair(0x0006, 0x003D, "")  # help file
        out += rec(0x0007, struct.pack("<I", 0))  # help context
        out += rec(0x0008, struct.pack("<I", 0))  # lib flags
        out += struct.pack("<HIIH", 0x0009, 4, self.version_major, self.version_minor)
        out += text_pair(0x000C, 0x003C, self.constants)
        for ref in self.references:
            out += text_pair(0x0016, 0x003E, ref.name)
            libid = ref.libid.encode(_ENC)
            body = struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0)
            out += rec(0x000D, body)
        out += rec(0x000F, struct.pack("<H", len(self.modules)))
        out += rec(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
        for m in self.modules:
            out += text_pair(0x0019, 0x0047, m.name)
            out += text_pair(0x001A, 0x0032, m.name)  # stream name
            out += text_pair(0x001C, 0x0048, "")  # doc string
            out += rec(0x0031, struct.pack("<I", 0))  # source offset: no p-code before it
            out += rec(0x001E, struct.pack("<I", 0))  # help context
            out += rec(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
            out += rec(0x0021 if m.kind == "standard" else 0x0022, b"")
            out += rec(0x002B, b"")  # terminator
        out += rec(0x0010, b"")  # dir stream terminator
        return bytes(out)

    def streams(self) -> dict[str, bytes]:
        """Every stream by path (``'PROJECT'``, ``'VBA/dir'``, …)."""
        names = [m.name for m in self.modules]
        if len({n.casefold() for n in names}) != len(names):
            raise ValueError(f"duplicate VBA module names: {names}")
        if self.name.casefold() in {n.casefold() for n in names}:
            # VBA names are case-insensitive: the VBA editor refuses a module named like its project
            raise ValueError(f"the VBA project name {self.name!r} clashes with a module name")
        out = {
            "PROJECT": self.project_stream(),
            "PROJECTwm": self.projectwm_stream(),
            "VBA/_VBA_PROJECT": struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001),
            "VBA/dir": compress(self.dir_stream()),
        }
        for m in self.modules:
            out[f"VBA/{m.name}"] = compress(m.stream_text())
        return out

    def to_bytes(self) -> bytes:
        """The compound file ``vbaProject.bin``."""
        return write_compound_file(self.streams())


# --------------------------------------------------------------------------------------------
# Compound file ([MS-CFB], version 3)
# --------------------------------------------------------------------------------------------
_SECTOR, _MINI, _CUTOFF = 512, 64, 4096
_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF


def _cfb_key(name: str) -> tuple[int, str]:
    # [MS-CFB] 2.6.4: shorter names first, then code-point order of the upper-cased names
    return (len(name), name.upper())


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    sid: int = 0
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    colour: int = 1  # black
    #: [MS-CFB] 2.6.3: a storage object's starting sector and size MUST be 0; an empty stream's
    #: start is ENDOFCHAIN (set below); the root's is the mini stream's first sector.
    start: int = 0
    size: int = 0


def _balanced(entries: list[_Entry], depth: int, max_full: int) -> int:
    """Link sorted ``entries`` into a balanced binary tree; returns the root's sid.

    Nodes deeper than the last full level are red, all others black: a valid red-black tree.
    """
    if not entries:
        return _NOSTREAM
    mid = len(entries) // 2
    node = entries[mid]
    node.colour = 0 if depth > max_full else 1
    node.left = _balanced(entries[:mid], depth + 1, max_full)
    node.right = _balanced(entries[mid + 1 :], depth + 1, max_full)
    return node.sid


def write_compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams`` (paths with ``/`` for storages)."""
    root = _Entry("Root Entry", 5)
    for path, data in streams.items():
        *dirs, leaf = path.split("/")
        node = root
        for d in dirs:
            found = next((c for c in node.children if c.name == d and c.kind == 1), None)
            if found is None:
                found = _Entry(d, 1)
                node.children.append(found)
            node = found
        node.children.append(_Entry(leaf, 2, data=data, size=len(data)))

    # directory order: root, then breadth-first with siblings in sorted order
    order: list[_Entry] = [root]
    queue = [root]
    while queue:
        node = queue.pop(0)
        node.children.sort(key=lambda e: _cfb_key(e.name))
        for c in node.children:
            c.sid = len(order)
            order.append(c)
            queue.append(c)
    for node in order:
        if node.children:
            n = len(node.children)
            max_full = (n + 1).bit_length() - 2  # deepest completely filled level
            node.child = _balanced(node.children, 0, max_full)

    # mini stream and regular streams
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in order:
        if e.kind != 2:
            continue
        if e.size < _CUTOFF:
            if e.size == 0:
                e.start = _END
                continue
            first = len(mini) // _MINI
            n = -(-e.size // _MINI)
            mini += e.data + b"\x00" * (n * _MINI - e.size)
            minifat += [first + i + 1 for i in range(n - 1)] + [_END]
            e.start = first
        else:
            big.append(e)
    root.size = len(mini)

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        n = -(-len(data) // _SECTOR)
        first = len(sectors)
        padded = data + b"\x00" * (n * _SECTOR - len(data))
        for i in range(n):
            sectors.append(padded[i * _SECTOR : (i + 1) * _SECTOR])
            fat.append(first + i + 1 if i < n - 1 else _END)
        return first

    root.start = place(bytes(mini)) if mini else _END
    for e in big:
        e.start = place(e.data)
    first_minifat = _END
    n_minifat = 0
    if minifat:
        per = _SECTOR // 4
        minifat += [_FREE] * (-len(minifat) % per)
        first_minifat = place(struct.pack(f"<{len(minifat)}I", *minifat))
        n_minifat = len(minifat) // per

    entries = bytearray()
    for e in order:
        name = e.name.encode("utf-16-le")
        entries += name + b"\x00" * (64 - len(name))
        entries += struct.pack("<HBB", len(name) + 2, e.kind, e.colour)
        entries += struct.pack("<III", e.left, e.right, e.child)
        entries += b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16  # CLSID, state, times
        entries += struct.pack("<IQ", e.start, e.size)
    empty = b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", _NOSTREAM, _NOSTREAM,
                                                                      _NOSTREAM) + b"\x00" * 36 + struct.pack("<IQ", 0, 0)  # fmt: skip
    while len(entries) % _SECTOR:
        entries += empty
    first_dir = place(bytes(entries))

    # FAT sectors (they cover themselves too)
    n_fat = 1
    while (len(sectors) + n_fat) > n_fat * (_SECTOR // 4):
        n_fat += 1
    if n_fat > 109:
        raise ValueError("VBA project too large for a compound file without DIFAT sectors")
    fat_first = len(sectors)
    fat += [_FATSECT] * n_fat
    fat += [_FREE] * (n_fat * (_SECTOR // 4) - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    for i in range(n_fat):
        sectors.append(fat_bytes[i * _SECTOR : (i + 1) * _SECTOR])

    difat = [fat_first + i for i in range(n_fat)] + [_FREE] * (109 - n_fat)
    header = bytearray()
    header += bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
    header += b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, n_fat, first_dir, 0, _CUTOFF, first_minifat, n_minifat,
                          _END, 0)  # fmt: skip
    header += struct.pack("<109I", *difat)
    assert len(header) == _SECTOR
    return bytes(header) + b"".join(sectors)


__all__ = [
    "Module",
    "CLASS_ATTRIBUTES",
    "CLASS_BASE",
    "Reference",
    "STANDARD_REFERENCES",
    "VbaProject",
    "class_attributes",
    "compress",
    "decrypt",
    "document_module",
    "encrypt",
    "write_compound_file",
]
