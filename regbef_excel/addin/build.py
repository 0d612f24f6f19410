"""Build the REGBEF Excel add-in (``REGBEF.xlam``) and macro-enabled workbook (``.xlsm``).

Everything is built from text sources, reproducibly (the same sources give the same bytes):

* ``workbook/vba/Regbef.bas`` — the ribbon callback ``RegbefRibbon(control As IRibbonControl)``
  and one macro per button, each a ``RunPython`` call into :mod:`regbef_excel.excel.macros`;
* ``workbook/vba/ThisWorkbook.cls`` — registers function-wizard help when the file opens;
* ``RegbefUdfs`` — VBA declarations of the worksheet functions, **generated** from
  :data:`regbef_excel.schema.udfs.UDFS` (calls ``XLPy.CallUDF`` like xlwings' own generated
  wrappers, so no "Import Functions" and no access to the VBA object model are needed);
* the xlwings VBA module **as shipped** by the installed, pinned xlwings (BSD-3-Clause):
  ``xlwings_custom_addin.bas`` for the add-in, ``xlwings.bas`` for the workbook, each with its
  ``PROJECT_NAME`` set to ``"regbef"`` so both read the ``regbef.conf`` sheet and the user file
  ``~/.regbef/regbef.conf`` and never another project's ``~/.xlwings/xlwings.conf``
  (:mod:`regbef_excel.io.write.addin`); and the ``Dictionary`` class xlwings needs on macOS;
* ``workbook/regbef.conf`` — the rows of the ``regbef.conf`` sheet (``USE UDF SERVER`` = False);
* ``workbook/customUI14.xml`` and ``workbook/customUI.xml`` — the REGBEF ribbon tab.

The sheets are written by openpyxl; the VBA project by :mod:`regbef_excel.addin.ovba`; a final
zip step adds ``xl/vbaProject.bin``, the ribbon parts, their relationships and content types
(openpyxl would drop the ``customUI14`` relationship) and fixes every timestamp.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from regbef_excel import __version__
from regbef_excel.addin import ovba, oxt
from regbef_excel.addin.ribbon import localised_ribbon
from regbef_excel.app.projection import demo_inputs
from regbef_excel.errors import RegbefError
from regbef_excel.files import atomic_write, shipped_path
from regbef_excel.io.write.addin import addin_xlsx, macro_workbook_xlsx
from regbef_excel.io.write.templates import CONF_PROJECT, read_conf_text
from regbef_excel.schema.udfs import UDF_MODULE, UDFS, UdfSpec

#: The xlwings version the VBA must match (setup.cfg pins the same).
PINNED_XLWINGS = "0.37.8"
#: Where the text sources live: ``<repo>/workbook`` in a checkout, else the copy pip installed
#: from the wheel's data files (``<prefix>/share/regbef_excel/workbook``), so ``regbef-excel
#: addin build`` works after installing the wheel.
SOURCE_DIR = shipped_path("workbook")

ADDIN_NAME = "REGBEF.xlam"
WORKBOOK_NAME = {"nb": "REGBEF-arbeidsbok.xlsm", "en": "REGBEF-workbook.xlsm"}

Target = Literal["addin", "workbook"]

CT_MAIN = {
    "addin": "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    "workbook": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}
CT_PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
#: customUI.xml (2006/01 namespace) and customUI14.xml (2009/07) relationship types.
REL_UI = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
REL_UI14 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
NS_UI = "http://schemas.microsoft.com/office/2006/01/customui"
NS_UI14 = "http://schemas.microsoft.com/office/2009/07/customui"

#: Fixed time stamp of every zip entry and document property (SOURCE_DATE_EPOCH overrides).
_DEFAULT_EPOCH = 946_684_800  # 2000-01-01T00:00:00Z



def build_time() -> datetime:
    """The fixed build time: ``SOURCE_DATE_EPOCH`` if set, else 2000-01-01 UTC."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", _DEFAULT_EPOCH))
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------------------------
# VBA sources
# --------------------------------------------------------------------------------------------
def xlwings_package_dir() -> Path:
    """Folder of the installed xlwings package (without importing its Excel runtime)."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise RegbefError(f"xlwings is not installed; run: pip install xlwings=={PINNED_XLWINGS}")
    return Path(spec.origin).parent


def xlwings_vba_version(source: str) -> str | None:
    """The ``XLWINGS_VERSION`` constant a VBA module declares."""
    m = re.search(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', source)
    return m.group(1) if m else None


def _read_vba(path: Path) -> str:
    return path.read_bytes().decode("cp1252").replace("\r\n", "\n")


def xlwings_module(target: Target) -> str:
    """The xlwings VBA module for ``target`` as shipped by the installed xlwings.

    Raises
    ------
    RegbefError
        If the installed xlwings is not the pinned version (the VBA and the Python package
        must match, or RunPython fails with a version-mismatch error).
    """
    base = xlwings_package_dir()
    name = "xlwings_custom_addin.bas" if target == "addin" else "xlwings.bas"
    text = _read_vba(base / name)
    # the only change: REGBEF's own configuration (regbef.conf sheet, ~/.regbef/regbef.conf)
    text, n = re.subn(r'(Public Const PROJECT_NAME As String = )"[^"]*"', rf'\1"{CONF_PROJECT}"', text)
    if n != 1:
        raise RegbefError(f"unexpected {name}: PROJECT_NAME not found")
    found = xlwings_vba_version(text)
    if found != PINNED_XLWINGS:
        raise RegbefError(
            f"the installed xlwings VBA is version {found}, but REGBEF pins {PINNED_XLWINGS}; "
            f"run: pip install xlwings=={PINNED_XLWINGS}"
        )
    return text


def _vba_text(s: str, limit: int = 255) -> str:
    """A VBA string literal body: cp1252-safe, quotes doubled, at most ``limit`` characters."""
    repl = {"\u2212": "-", "\u2265": ">=", "\u2264": "<=", "\u00d7": "x", "\u2192": "->"}
    s = "".join(repl.get(ch, ch) for ch in s)
    s = s.encode("cp1252", "replace").decode("cp1252")
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s.replace('"', '""')


def udf_module(target: Target, specs: dict[str, UdfSpec] | None = None) -> str:
    """VBA declarations of the worksheet functions and ``RegisterRegbefFunctions``.

    Each function forwards its arguments to :data:`UDF_MODULE` through xlwings'
    ``XLPy.CallUDF``; a function with a hidden ``caller`` argument passes ``Nothing`` in its
    place (xlwings fills in the calling range).
    """
    specs = specs or UDFS
    book = "ActiveWorkbook" if target == "addin" else "ThisWorkbook"
    out = [
        'Attribute VB_Name = "RegbefUdfs"',
        "' REGBEF worksheet functions. GENERATED by `regbef-excel addin build` from",
        "' regbef_excel.schema.udfs.UDFS - edit that registry, not this file.",
        "#Const App = \"Microsoft Excel\" 'Adjust when using outside of Excel",
        "",
    ]
    for spec in specs.values():
        params = ", ".join(f"Optional {a.name}" if a.optional else a.name for a in spec.args)
        values = [a.name for a in spec.args] + (["Nothing"] if spec.uses_caller else [])
        call = f'XLPy.CallUDF("{UDF_MODULE}", "{spec.name}", Array({", ".join(values)}), {book}, Application.Caller)'
        out += [
            f"Function {spec.name}({params})",
            "    If TypeOf Application.Caller Is Range Then On Error GoTo failed",
            *(["    Application.Volatile"] if spec.volatile else []),
            f"    {spec.name} = {call}",
            "    Exit Function",
            "failed:",
            f"    {spec.name} = Err.Description",
            "End Function",
            "",
        ]
    out += [
        "' Function wizard help (Excel 2010+); called from Workbook_Open.",
        "Sub RegisterRegbefFunctions()",
        "    Dim a() As Variant",
        "    On Error Resume Next",
    ]
    for spec in specs.values():
        desc = _vba_text(spec.doc)
        if spec.args:
            out.append(f"    ReDim a(0 To {len(spec.args) - 1})")
            out += [f'    a({i}) = "{_vba_text(arg.doc)}"' for i, arg in enumerate(spec.args)]
            out.append(f'    Application.MacroOptions Macro:="{spec.name}", Description:="{desc}", '
                       'Category:="REGBEF", ArgumentDescriptions:=a')  # fmt: skip
        else:
            out.append(f'    Application.MacroOptions Macro:="{spec.name}", Description:="{desc}", '
                       'Category:="REGBEF"')  # fmt: skip
    out += ["    On Error GoTo 0", "End Sub", ""]
    return "\n".join(out)


def vba_modules(target: Target, sheet_code_names: list[str], source_dir: Path | None = None) -> list[ovba.Module]:
    """Every module of the VBA project of ``target``, in project order."""
    src = Path(source_dir or SOURCE_DIR)
    this_code = (src / "vba" / "ThisWorkbook.cls").read_text(encoding="utf-8")
    this_code = "\n".join(line for line in this_code.splitlines() if not line.startswith("Attribute "))
    mods = [ovba.document_module("ThisWorkbook", "workbook", this_code)]
    mods += [ovba.document_module(name, "worksheet") for name in sheet_code_names]
    mods.append(ovba.Module("Regbef", "standard", (src / "vba" / "Regbef.bas").read_text(encoding="utf-8")))
    mods.append(ovba.Module("RegbefUdfs", "standard", udf_module(target)))
    mods.append(ovba.Module("xlwings", "standard", xlwings_module(target)))
    mods.append(ovba.Module("Dictionary", "class", _read_vba(xlwings_package_dir() / "addin" / "Dictionary.cls")))
    return mods


def project_id(target: Target) -> str:
    """A stable project GUID per target and package version (reproducible builds)."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"regbef_excel/{target}/{__version__}")).upper() + "}"


#: VBA project names. VBA names are case-insensitive: the add-in's project must not be called
#: like a module (``Regbef``), or the VBA editor refuses it ("Name conflicts with existing
#: module, project, or object library").
PROJECT_NAME = {"addin": "RegbefAddin", "workbook": "VBAProject"}


def vba_project(target: Target, sheet_code_names: list[str], source_dir: Path | None = None) -> ovba.VbaProject:
    name = PROJECT_NAME[target]
    return ovba.VbaProject(vba_modules(target, sheet_code_names, source_dir), name=name,
                           project_id=project_id(target))  # fmt: skip


# --------------------------------------------------------------------------------------------
# Packaging
# --------------------------------------------------------------------------------------------




def _rewrite_package(xlsx: bytes, target: Target, vba_bin: bytes, ui: str, ui14: str, when: datetime) -> bytes:
    """Turn openpyxl's .xlsx bytes into a macro-enabled package with the ribbon parts."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    ct = parts["[Content_Types].xml"].decode("utf-8")
    if CT_PLAIN_MAIN not in ct:
        raise RegbefError("unexpected workbook package: main content type not found")
    ct = ct.replace(CT_PLAIN_MAIN, CT_MAIN[target])
    ct = ct.replace("</Types>", f'<Override PartName="/xl/vbaProject.bin" ContentType="{CT_VBA}"/></Types>')
    parts["[Content_Types].xml"] = ct.encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    rels = rels.replace("</Relationships>",
                        f'<Relationship Id="rIdVbaProject" Type="{REL_VBA}" Target="vbaProject.bin"/>'
                        "</Relationships>")  # fmt: skip
    parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    root_rels = parts["_rels/.rels"].decode("utf-8")
    root_rels = root_rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdCustomUI" Type="{REL_UI}" Target="customUI/customUI.xml"/>'
        f'<Relationship Id="rIdCustomUI14" Type="{REL_UI14}" Target="customUI/customUI14.xml"/>'
        "</Relationships>",
    )
    parts["_rels/.rels"] = root_rels.encode("utf-8")
    core = parts["docProps/core.xml"].decode("utf-8")
    core = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rf"\g<1>{stamp}\g<3>", core)
    parts["docProps/core.xml"] = core.encode("utf-8")
    parts["xl/vbaProject.bin"] = vba_bin
    parts["customUI/customUI.xml"] = ui.encode("utf-8")
    parts["customUI/customUI14.xml"] = ui14.encode("utf-8")

    out = io.BytesIO()
    first = ["[Content_Types].xml", "_rels/.rels"]
    order = first + [n for n in parts if n not in first]
    with zipfile.ZipFile(out, "w") as zout:
        for name in order:
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            zout.writestr(info, parts[name], compresslevel=6)
    return out.getvalue()


def _ribbon(source_dir: Path, language: str) -> tuple[str, str]:
    """customUI.xml and customUI14.xml with the labels of ``language`` (:mod:`~regbef_excel.addin.ribbon`)."""
    return tuple(localised_ribbon((source_dir / name).read_text(encoding="utf-8"), language, str(source_dir / name))
                 for name in ("customUI.xml", "customUI14.xml"))  # fmt: skip


def addin_bytes(source_dir: Path | None = None, language: str = "nb") -> bytes:
    """The bytes of ``REGBEF.xlam`` (ribbon labels in ``language``)."""
    src = Path(source_dir or SOURCE_DIR)
    when = build_time()
    xlsx, names = addin_xlsx(
        when,
        title="REGBEF",
        creator=f"regbef_excel {__version__}",
        description=f"REGBEF add-in, regbef_excel {__version__}, xlwings {PINNED_XLWINGS}",
        source_dir=src,
    )
    vba = vba_project("addin", names, src).to_bytes()
    return _rewrite_package(xlsx, "addin", vba, *_ribbon(src, language), when)


def workbook_bytes(language: str = "nb", source_dir: Path | None = None, inputs=None, meta=None) -> bytes:  # noqa: ANN001
    """The bytes of the macro-enabled REGBEF workbook of ``inputs`` (the empty template if
    ``None``; :func:`build` passes the Telemark demo); sheets and ribbon in ``language``."""
    src = Path(source_dir or SOURCE_DIR)
    when = build_time()
    xlsx, names = macro_workbook_xlsx(when, language, inputs, meta, source_dir=src)
    vba = vba_project("workbook", names, src).to_bytes()
    return _rewrite_package(xlsx, "workbook", vba, *_ribbon(src, language), when)


@dataclass
class BuildResult:
    """Paths written by :func:`build`."""

    addin: Path
    workbook: Path
    vba_dir: Path
    extension: Path


def build(out_dir: str | os.PathLike[str] = "dist", *, language: str = "nb",
          source_dir: str | os.PathLike[str] | None = None, empty: bool = False) -> BuildResult:  # fmt: skip
    """Build ``REGBEF.xlam``, the ``.xlsm`` and the LibreOffice extension ``REGBEF.oxt`` (same
    buttons, same Python actions) into ``out_dir``, plus the generated VBA sources
    (``out_dir/vba``) for review or manual import.

    The ``.xlsm`` is the filled Telemark demo workbook (with its history, so it validates and
    runs as it is); ``empty=True`` gives the empty template instead. ``language`` is the
    language of the workbook's sheets and of the ribbon labels in both Excel files (Excel
    cannot switch them by itself, see :mod:`regbef_excel.addin.ribbon`); the LibreOffice
    extension carries both and follows LibreOffice's language.
    """
    out = Path(out_dir)
    src = Path(source_dir) if source_dir else SOURCE_DIR
    if not (src / "vba" / "Regbef.bas").exists():
        raise RegbefError(f"add-in sources not found in {src} (expected vba/Regbef.bas); run from a "
                          "checkout of regbef_excel or pass --sources")  # fmt: skip
    inputs, meta = (None, None) if empty else demo_inputs(language, include_history=True)
    addin = atomic_write(out / ADDIN_NAME, addin_bytes(src, language))
    book = atomic_write(out / WORKBOOK_NAME.get(language, WORKBOOK_NAME["nb"]),
                         workbook_bytes(language, src, inputs, meta))  # fmt: skip
    vba_dir = out / "vba"
    vba_dir.mkdir(parents=True, exist_ok=True)
    for m in vba_modules("addin", ["Sheet1"], src):
        if m.kind == "document":
            continue
        ext = ".cls" if m.kind == "class" else ".bas"
        (vba_dir / f"{m.name}{ext}").write_bytes(m.stream_text())
    extension = oxt.build_oxt(out, src)
    return BuildResult(addin, book, vba_dir, extension)


# --------------------------------------------------------------------------------------------
# Installation (wraps `xlwings addin install --file`) and the user configuration file
# --------------------------------------------------------------------------------------------
Platform = Literal["win", "mac"]

#: Keys that choose the Python the add-in starts, per platform. A user file holding any of them
#: is the user's choice and is never changed.
INTERPRETER_KEYS: dict[str, tuple[str, ...]] = {
    "win": ("INTERPRETER_WIN", "INTERPRETER", "CONDA PATH", "CONDA ENV"),
    "mac": ("INTERPRETER_MAC", "INTERPRETER"),
}


def excel_platform(platform: str | None = None) -> Platform:
    """``'win'`` or ``'mac'`` for ``platform`` (default: this computer).

    Raises
    ------
    RegbefError
        Anywhere else: there is no desktop Excel to install into.
    """
    plat = platform or sys.platform
    if plat.startswith("win"):
        return "win"
    if plat == "darwin":
        return "mac"
    raise RegbefError(
        "Excel add-ins can only be installed on Windows or macOS with Microsoft Excel. "
        "On this computer use the command line instead: regbef-excel run WORKBOOK.xlsx"
    )


def user_conf_path(platform: Platform, home: str | os.PathLike[str] | None = None) -> Path:
    """The user configuration file the add-in's xlwings VBA reads (``GetConfigFilePath`` with
    ``PROJECT_NAME = "regbef"``): ``%USERPROFILE%\\.regbef\\regbef.conf`` on Windows, inside
    Excel's sandbox container on macOS."""
    base = Path(home) if home is not None else Path.home()
    if platform == "win":
        return base / f".{CONF_PROJECT}" / f"{CONF_PROJECT}.conf"
    return base / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / f"{CONF_PROJECT}.conf"


def read_user_conf(path: Path) -> dict[str, str]:
    """Settings of an xlwings config file by UPPER-CASE key (empty if the file is missing)."""
    if not path.exists():
        return {}
    return {k.upper(): v for k, v in read_conf_text(path.read_text(encoding="utf-8", errors="replace"))}


def conda_env(prefix: str | os.PathLike[str]) -> tuple[Path, str] | None:
    """(conda installation, environment name) if ``prefix`` is a conda environment."""
    env = Path(prefix)
    if not (env / "conda-meta").is_dir():
        return None
    if env.parent.name == "envs" and (env.parent.parent / "condabin").is_dir():
        return env.parent.parent, env.name
    return env, "base"


def environment_settings(platform: Platform, executable: str | None = None,
                         prefix: str | None = None) -> list[tuple[str, str]]:  # fmt: skip
    """The settings that make Excel start this environment's Python.

    Windows: ``INTERPRETER_WIN`` = ``pythonw.exe`` of the environment (no console window), or
    for a conda environment ``CONDA PATH`` and ``CONDA ENV`` (xlwings then activates the
    environment, which conda's DLLs need). macOS: ``INTERPRETER_MAC``.
    """
    exe = Path(executable or sys.executable)
    if platform == "mac":
        return [("INTERPRETER_MAC", str(exe))]
    conda = conda_env(prefix or sys.prefix)
    if conda is not None:
        return [("CONDA PATH", str(conda[0])), ("CONDA ENV", conda[1])]
    windowless = exe.with_name("pythonw.exe")
    return [("INTERPRETER_WIN", str(windowless if windowless.exists() else exe))]


def write_interpreter_config(platform: Platform, *, home: str | os.PathLike[str] | None = None,
                             executable: str | None = None, prefix: str | None = None) -> str:  # fmt: skip
    """Write this environment's interpreter into the user file when no interpreter is set there.

    Returns what was written or kept, for the user. A setting the user made (any of
    :data:`INTERPRETER_KEYS`) is never changed; other lines of the file are kept as they are.
    """
    path = user_conf_path(platform, home)
    current = read_user_conf(path)
    mine = [k for k in INTERPRETER_KEYS[platform] if k in current]
    wanted = environment_settings(platform, executable, prefix)
    if mine:
        shown = "; ".join(f"{k} = {current[k]}" for k in mine)
        differs = any(current.get(k.upper()) != v for k, v in wanted)
        note = (" It differs from the Python running this command "
                f"({'; '.join(f'{k} = {v}' for k, v in wanted)}); change the file yourself if "
                "Excel should use this one.") if differs else ""  # fmt: skip
        return f"Kept your setting in {path}: {shown} (not changed).{note}"
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(f'"{k}","{v}"\n' for k, v in wanted)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"))
    return f"Wrote {'; '.join(f'{k} = {v}' for k, v in wanted)} to {path}."


@dataclass
class InstallCheck:
    """What Excel will use (``addin install --check``)."""

    ok: bool
    report: str


def excel_python(platform: Platform, settings: dict[str, str]) -> tuple[str | None, str]:
    """(interpreter path or None, where it comes from) as the add-in's VBA resolves it from the
    user file's ``settings`` (a ``regbef.conf`` sheet in the active workbook still wins)."""
    key = "INTERPRETER_WIN" if platform == "win" else "INTERPRETER_MAC"
    if settings.get(key):
        return settings[key], key
    if settings.get("INTERPRETER"):
        return settings["INTERPRETER"], "INTERPRETER"
    if platform == "win" and settings.get("CONDA PATH") and settings.get("CONDA ENV"):
        base, env = Path(settings["CONDA PATH"]), settings["CONDA ENV"]
        root = base if env == "base" else base / "envs" / env
        return str(root / "python.exe"), f"CONDA PATH + CONDA ENV ({env})"
    default = "pythonw" if platform == "win" else "python"
    return shutil.which(default), f"nothing set: xlwings' default '{default}' from PATH"


def check_install(platform: str | None = None, *, home: str | os.PathLike[str] | None = None,
                  timeout: float = 180) -> InstallCheck:  # fmt: skip
    """Which Python Excel will start for the add-in, and whether ``regbef_excel`` and the pinned
    xlwings import there."""
    plat = excel_platform(platform)
    path = user_conf_path(plat, home)
    settings = read_user_conf(path)
    lines = [f"User configuration: {path}" + ("" if path.exists() else " (missing)")]
    lines += [f"  {k} = {v}" for k, v in settings.items()]
    exe, source = excel_python(plat, settings)
    lines.append(f"Excel will start: {exe or '(not found)'}  [{source}]")
    lines.append("  (a regbef.conf sheet in the active workbook would override this)")
    if not exe:
        lines.append("NOT OK: no Python found. Run `regbef-excel addin install` from the "
                     "environment where regbef_excel is installed.")  # fmt: skip
        return InstallCheck(False, "\n".join(lines))
    probe = "import regbef_excel, xlwings; print(regbef_excel.__version__, xlwings.__version__)"
    try:
        done = subprocess.run([exe, "-c", probe], capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        lines.append(f"NOT OK: could not start {exe}: {exc}")
        return InstallCheck(False, "\n".join(lines))
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        lines.append(f"NOT OK: regbef_excel does not import there: {last}")
        return InstallCheck(False, "\n".join(lines))
    ours, xlw = (done.stdout.split() + ["?", "?"])[:2]
    lines.append(f"regbef_excel {ours}, xlwings {xlw} import there.")
    if xlw != PINNED_XLWINGS:
        lines.append(f"NOT OK: the add-in's VBA is xlwings {PINNED_XLWINGS}; install "
                     f"xlwings=={PINNED_XLWINGS} in that environment.")  # fmt: skip
        return InstallCheck(False, "\n".join(lines))
    lines.append("OK")
    return InstallCheck(True, "\n".join(lines))


def install(path: str | os.PathLike[str] | None = None, *, platform: str | None = None,
            home: str | os.PathLike[str] | None = None) -> str:  # fmt: skip
    """Install ``REGBEF.xlam`` into Excel's XLSTART folder with xlwings' own installer, then
    write this environment's interpreter into the add-in's user configuration file unless the
    user has set one (:func:`write_interpreter_config`).

    Returns
    -------
    str
        What happened, for the user.

    Raises
    ------
    RegbefError
        On Linux (no desktop Excel), when the file is missing, or when xlwings fails.
    """
    plat = excel_platform(platform)
    addin = Path(path) if path else Path("dist") / ADDIN_NAME
    if not addin.exists():
        raise RegbefError(f"{addin} not found; build it first: regbef-excel addin build")
    exe = shutil.which("xlwings")
    cmd = [exe] if exe else [sys.executable, "-c", "import sys; from xlwings.cli import main; sys.exit(main())"]
    cmd += ["addin", "install", "--file", str(addin.resolve())]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RegbefError(f"xlwings could not install the add-in: {(done.stderr or done.stdout).strip()}")
    config = write_interpreter_config(plat, home=home)
    return (done.stdout.strip() + "\n" if done.stdout.strip() else "") + (
        f"Installed {addin.name}.\n{config}\nRestart Excel: the REGBEF tab appears on the ribbon. "
        "Check with: regbef-excel addin install --check"
    )


__all__ = [
    "ADDIN_NAME",
    "INTERPRETER_KEYS",
    "InstallCheck",
    "PINNED_XLWINGS",
    "SOURCE_DIR",
    "BuildResult",
    "addin_bytes",
    "build",
    "check_install",
    "environment_settings",
    "install",
    "user_conf_path",
    "write_interpreter_config",
    "udf_module",
    "vba_modules",
    "vba_project",
    "workbook_bytes",
    "xlwings_module",
    "xlwings_vba_version",
]
