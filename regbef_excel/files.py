"""File helpers shared by the command line, the writers and the regression workbook."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
import zlib
from pathlib import Path
from xml.parsers import expat

from regbef_excel.errors import InputError, Location


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes (used to prove an input file is unchanged by a run)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when two paths name the same file (also through links), so outputs never overwrite
    inputs."""
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return pa.samefile(pb)
        return pa.resolve() == pb.resolve()
    except OSError:
        return False


# ----------------------------------------------------------------------------- front-door checks
#: Largest uncompressed package the reader accepts (a zip bomb stops here, not in memory).
MAX_PACKAGE_BYTES = 2 << 30
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def _say(language: str, nb: str, en: str) -> str:
    return en if language == "en" else nb


def check_output_path(
    output: str | os.PathLike[str],
    *inputs: str | os.PathLike[str] | None,
    suffixes: tuple[str, ...] | None = (".xlsx",),
    language: str = "nb",
) -> Path:
    """Refuse an output path before any work is done: wrong extension, the same file as an
    input, a folder, below a regular file, or in a folder that cannot be written.

    Missing folders are accepted when they can be created (the writers create them). Returns
    the output as a :class:`~pathlib.Path`; raises :class:`InputError` naming the output.
    """
    out = Path(output)
    where = Location(file=str(output))
    if suffixes and out.suffix.lower() not in suffixes:
        raise InputError(
            _say(language, "feil filtype for resultatet", "wrong file type for the output"),
            location=where, found=out.suffix or out.name, expected=" or ".join(suffixes),
        )  # fmt: skip
    for path in inputs:
        if path is not None and same_file(path, out):
            raise InputError(
                _say(language, "resultatfilen må være en annen enn inndatafilen (inndata overskrives aldri)",
                     "the output file must differ from the input file (inputs are never overwritten)"),
                location=where, found=str(path), expected=_say(language, "et nytt filnavn", "a new file name"),
            )  # fmt: skip
    if out.is_dir():
        raise InputError(_say(language, "er en mappe, ikke en fil", "is a folder, not a file"), location=where,
                         expected=_say(language, "et filnavn i mappen", "a file name inside the folder"))  # fmt: skip
    folder = out.parent
    while not folder.exists() and folder != folder.parent:
        if folder.is_symlink():  # a dangling link cannot be created through
            break
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(
            _say(language, "ligger under en fil, ikke en mappe", "lies below a file, not a folder"),
            location=where, found=str(folder), expected=_say(language, "en mappe", "a folder"),
        )  # fmt: skip
    try:  # a real probe: permission bits say nothing for root or read-only file systems
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise InputError(
            _say(language, "mappen kan ikke skrives til", "the folder cannot be written to"),
            location=where, found=f"{folder} ({exc.strerror or type(exc).__name__})",
            expected=_say(language, "en mappe du kan skrive til", "a folder you can write to"),
        ) from None  # fmt: skip
    return out


def _part_problem(path: Path, part: str, nb: str, en: str, language: str, detail: str = "") -> InputError:
    return InputError(
        _say(language, nb, en) + (f" ({detail})" if detail else ""),
        location=Location(file=path.name, part=part),
        expected=_say(language, "en .xlsx-fil lagret av Excel eller LibreOffice",
                      "an .xlsx file saved by Excel or LibreOffice"),
    )  # fmt: skip


class _Doctype(Exception):
    """A document type declaration: never legitimate in an Office Open XML part."""


def _refuse_doctype(*_args: object) -> None:
    raise _Doctype


def _check_xml(stream, path: Path, part: str, language: str) -> None:  # noqa: ANN001
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    try:
        for block in iter(lambda: stream.read(1 << 20), b""):
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except _Doctype:
        raise _part_problem(path, part, "XML med dokumenttype (DTD) eller entiteter – avvist uten å lese dem",
                            "XML with a document type (DTD) or entities – refused unread", language) from None
    except expat.ExpatError as exc:
        raise _part_problem(path, part, "skadet XML", "damaged XML", language,
                            expat.errors.messages.get(exc.code, str(exc)) + f", line {exc.lineno}") from None


def check_xlsx_package(path: str | os.PathLike[str], *, language: str = "nb") -> None:
    """Read every part of a zip package once: each member must decompress with the right
    checksum and each XML part must be well-formed without a document type declaration
    (external entities and "billion laughs" are refused, never expanded).

    Files that are not readable zip packages are left to the workbook reader, which says what
    they are. Raises :class:`InputError` naming the file and the part.
    """
    path = Path(path)
    try:
        if not path.is_file() or not zipfile.is_zipfile(path):
            return
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return
    with zf:
        infos = zf.infolist()
        if sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            raise _part_problem(path, infos[0].filename if infos else "", "pakken er for stor utpakket",
                                "the package is too large unpacked", language,
                                f"> {MAX_PACKAGE_BYTES >> 30} GiB")  # fmt: skip
        for info in infos:
            if info.is_dir():
                continue
            name = info.filename
            try:
                with zf.open(info) as stream:
                    if name.lower().endswith(_XML_SUFFIXES):
                        _check_xml(stream, path, name, language)
                    else:
                        for _ in iter(lambda s=stream: s.read(1 << 20), b""):
                            pass
            except InputError:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                    ValueError) as exc:  # fmt: skip
                raise _part_problem(path, name, "skadet del av pakken", "damaged part of the package", language,
                                    f"{type(exc).__name__}: {exc}") from None  # fmt: skip
