"""The REGBEF add-in and macro-enabled workbook, checked with independent readers.

olevba (oletools) must recover every module's source; the ribbon XML must be well-formed in the
customUI namespaces with every onAction naming a ribbon-signature Sub; the embedded xlwings VBA
must be the pinned version; the VBA project must have the structure of the Excel-made add-in
xlwings ships; LibreOffice must open both files and import the VBA modules.
"""

from __future__ import annotations

import configparser
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import olefile
import pytest
from lxml import etree
from oletools.olevba import VBA_Parser, decompress_stream

from regbef_excel.addin import build as addin
from regbef_excel.addin import ovba
from regbef_excel.cli import main
from regbef_excel.errors import RegbefError
from regbef_excel.schema.udfs import UDFS

ROOT = Path(__file__).resolve().parents[1]
EXCEL_MADE = addin.xlwings_package_dir() / "quickstart_addin_ribbon.xlam"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return addin.build(tmp_path_factory.mktemp("dist"))


def vba_bin(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/vbaProject.bin")


def modules_of(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {Path(name).stem: code.replace("\r\n", "\n") for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def dir_records(data: bytes) -> list[int]:
    """Record ids of a decompressed dir stream."""
    out, i = [], 0
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        out.append(rid)
        i += 6 + (6 if rid == 0x0009 else size)  # PROJECTVERSION's size field says 4, body is 6
    return out


# ---------------------------------------------------------------------------------- build
def test_build_is_reproducible(built, tmp_path):
    again = addin.build(tmp_path)
    assert again.addin.read_bytes() == built.addin.read_bytes()
    assert again.workbook.read_bytes() == built.workbook.read_bytes()


def test_olevba_recovers_every_module(built):
    for path, target in ((built.addin, "addin"), (built.workbook, "workbook")):
        with zipfile.ZipFile(path) as z:
            sheets = re.findall(rb'codeName="(Sheet\d+)"', b"".join(
                z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")))  # fmt: skip
        expected = {m.name: m.stream_text().decode("cp1252").replace("\r\n", "\n")
                    for m in addin.vba_modules(target, [s.decode() for s in sheets])}  # fmt: skip
        got = modules_of(path)
        assert set(got) == set(expected)
        def body(code: str) -> str:  # olevba may or may not drop the Attribute lines
            return "\n".join(ln for ln in code.split("\n") if not ln.startswith("Attribute VB_")).strip()

        for name, code in expected.items():
            assert body(got[name]) == body(code), name
    src = modules_of(built.addin)
    assert "Sub RegbefRibbon(control As IRibbonControl)" in src["Regbef"]
    assert "Public Sub RegisterRegbefFunctions" in src["RegbefUdfs"] or "Sub RegisterRegbefFunctions()" in src["RegbefUdfs"]


def test_embedded_xlwings_is_the_pinned_version(built):
    import xlwings

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    pinned = re.search(r"xlwings==([\d.]+)", cfg["options"]["install_requires"]).group(1)
    assert pinned == addin.PINNED_XLWINGS == xlwings.__version__
    for path in (built.addin, built.workbook):
        assert addin.xlwings_vba_version(modules_of(path)["xlwings"]) == pinned
    # the add-in reads the usual xlwings.conf; the DLL names carry the same version
    src = modules_of(built.addin)["xlwings"]
    assert 'PROJECT_NAME As String = "xlwings"' in src
    assert f"xlwings64-{pinned}.dll" in src
    assert modules_of(built.workbook)["xlwings"].count("ThisWorkbook") > 10


def test_udf_declarations_match_the_registry(built):
    src = modules_of(built.addin)["RegbefUdfs"]
    for spec in UDFS.values():
        m = re.search(rf"^Function {spec.name}\(([^)]*)\)", src, re.M)
        assert m, spec.name
        n_args = len([a for a in m.group(1).split(",") if a.strip()])
        assert n_args == len(spec.args)
        call = re.search(rf'CallUDF\("regbef_excel\.excel\.xlwings_udfs", "{spec.name}", Array\(([^)]*)\)', src)
        n_values = len([a for a in call.group(1).split(",") if a.strip()])
        assert n_values == len(spec.args) + (1 if spec.uses_caller else 0)
        assert f'Macro:="{spec.name}"' in src
    assert "ActiveWorkbook, Application.Caller" in src
    assert "ThisWorkbook, Application.Caller" in modules_of(built.workbook)["RegbefUdfs"]


# ---------------------------------------------------------------------------------- ribbon
@pytest.mark.parametrize(("part", "ns"), [("customUI/customUI.xml", addin.NS_UI),
                                          ("customUI/customUI14.xml", addin.NS_UI14)])  # fmt: skip
def test_ribbon_xml(built, part, ns):
    with zipfile.ZipFile(built.addin) as z:
        root = etree.fromstring(z.read(part))
    assert root.tag == f"{{{ns}}}customUI"
    assert [e.tag for e in root.iter() if not e.tag.startswith(f"{{{ns}}}") and isinstance(e.tag, str)] == []
    tab = root.find(f"{{{ns}}}ribbon/{{{ns}}}tabs/{{{ns}}}tab")
    assert tab.get("label") == "REGBEF"
    buttons = list(root.iter(f"{{{ns}}}button"))
    labels = [b.get("label") for b in buttons]
    assert labels == ["Kjør framskriving", "Valider", "Sammenlign scenarier", "Estimer regresjon",
                      "Lag mal", "Hjelp/Om"]  # fmt: skip
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    vba = modules_of(built.addin)["Regbef"]
    for b in buttons:
        action = b.get("onAction")
        assert re.search(rf"^Sub {action}\(control As IRibbonControl\)", vba, re.M), action


def test_package_parts_relationships_and_content_types(built):
    for path, main_ct in ((built.addin, addin.CT_MAIN["addin"]), (built.workbook, addin.CT_MAIN["workbook"])):
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            ct = etree.fromstring(z.read("[Content_Types].xml"))
            overrides = {o.get("PartName"): o.get("ContentType") for o in ct}
            assert overrides["/xl/workbook.xml"] == main_ct
            assert overrides["/xl/vbaProject.bin"] == addin.CT_VBA
            rels = {r.get("Type"): r.get("Target") for r in etree.fromstring(z.read("_rels/.rels"))}
            assert rels[addin.REL_UI] == "customUI/customUI.xml"
            assert rels[addin.REL_UI14] == "customUI/customUI14.xml"
            wb_rels = {r.get("Type"): r.get("Target") for r in etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
            assert wb_rels[addin.REL_VBA] == "vbaProject.bin"
            assert {"customUI/customUI.xml", "customUI/customUI14.xml", "xl/vbaProject.bin"} <= names
            assert b'codeName="ThisWorkbook"' in z.read("xl/workbook.xml")
            assert all(i.date_time == (2000, 1, 1, 0, 0, 0) for i in z.infolist())


# ---------------------------------------------------------------------------------- VBA project
def test_vba_project_structure_matches_an_excel_made_one(built):
    ours = olefile.OleFileIO(vba_bin(built.addin))
    with zipfile.ZipFile(EXCEL_MADE) as z:
        theirs = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    try:
        for ole in (ours, theirs):
            assert ole.exists("PROJECT") and ole.exists("VBA/dir") and ole.exists("VBA/_VBA_PROJECT")
        assert ours.openstream("VBA/_VBA_PROJECT").read() == theirs.openstream("VBA/_VBA_PROJECT").read()
        d_ours = bytes(decompress_stream(bytearray(ours.openstream("VBA/dir").read())))
        d_theirs = bytes(decompress_stream(bytearray(theirs.openstream("VBA/dir").read())))
        r_ours, r_theirs = dir_records(d_ours), dir_records(d_theirs)
        info = r_theirs[: r_theirs.index(0x0016)]  # project information, before the references
        assert r_ours[: len(info)] == info
        assert r_ours[-1] == r_theirs[-1] == 0x0010

        def module_records(r):
            start = r.index(0x000F)
            return r[start: start + 2], r[start + 2: -1]

        (head_o, mods_o), (head_t, mods_t) = module_records(r_ours), module_records(r_theirs)
        assert head_o == head_t == [0x000F, 0x0013]
        one = lambda r: r[: r.index(0x002B) + 1]  # noqa: E731
        assert {tuple(one(mods_o)[:6])} == {tuple(one(mods_t)[:6])}  # name, stream name, doc string
        # PROJECT stream: same keys in the same order; protection fields decrypt to the same values
        def keys(text):
            return [ln.split("=")[0] for ln in text.splitlines() if "=" in ln and not ln.startswith(("Document", "Module", "Class", "&H")) and "," not in ln]

        p_ours = ours.openstream("PROJECT").read().decode("cp1252")
        p_theirs = theirs.openstream("PROJECT").read().decode("cp1252")
        assert keys(p_ours) == keys(p_theirs)
        for key in ("CMG", "DPB", "GC"):
            def val(p, key=key):
                return re.search(rf'^{key}="([0-9A-F]+)"', p, re.M).group(1)

            pid_o = re.search(r'^ID="([^"]+)"', p_ours, re.M).group(1)
            pid_t = re.search(r'^ID="([^"]+)"', p_theirs, re.M).group(1)
            assert ovba.decrypt(val(p_ours), pid_o) == ovba.decrypt(val(p_theirs), pid_t)
        assert "[Host Extender Info]" in p_ours and "[Workspace]" in p_ours
    finally:
        ours.close()
        theirs.close()


def test_compression_round_trips_through_olevba():
    import random

    rng = random.Random(0)
    for n in (0, 1, 3, 4095, 4096, 4097, 20000):
        data = bytes(rng.choice(b"Sub End If Then\r\n ab") for _ in range(n))
        assert bytes(decompress_stream(bytearray(ovba.compress(data)))) == data
    raw = bytes(rng.getrandbits(8) for _ in range(8192))  # incompressible: raw chunks
    assert bytes(decompress_stream(bytearray(ovba.compress(raw)))) == raw


# ---------------------------------------------------------------------------------- CLI, install
def test_cli_build_and_install_message(tmp_path, capsys):
    assert main(["addin", "build", "--out", str(tmp_path)]) == 0
    assert (tmp_path / addin.ADDIN_NAME).exists()
    with pytest.raises(RegbefError, match="Windows or macOS"):
        addin.install(tmp_path / addin.ADDIN_NAME, platform="linux")
    with pytest.raises(RegbefError, match="build it first"):
        addin.install(tmp_path / "missing.xlam", platform="win32")


# ---------------------------------------------------------------------------------- LibreOffice
def _lo_convert(src: Path, outdir: Path, infilter: str | None = None) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = outdir / "profile"
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", "ods", "--outdir", str(outdir), str(src)]
    subprocess.run(cmd, capture_output=True, timeout=180, env={"HOME": str(outdir), "PATH": "/usr/bin:/bin"})
    out = outdir / (src.stem + ".ods")
    assert out.exists(), f"LibreOffice could not open {src.name}"
    return out


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_both_and_imports_the_vba(built, tmp_path):
    # LibreOffice picks filters by extension and has none for .xlam: name the VBA filter
    for path, infilter, library in ((built.workbook, None, "VBAProject"),
                                    (built.addin, "Calc MS Excel 2007 VBA XML", "REGBEF")):  # fmt: skip
        ods = _lo_convert(path, tmp_path, infilter)
        with zipfile.ZipFile(ods) as z:
            basic = {Path(n).stem for n in z.namelist() if n.startswith(f"Basic/{library}/")}
        assert {"Regbef", "RegbefUdfs", "xlwings", "Dictionary", "ThisWorkbook"} <= basic
