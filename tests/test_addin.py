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
from regbef_excel.excel import macros
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
    # both read REGBEF's own configuration (regbef.conf), never ~/.xlwings/xlwings.conf;
    # the DLL names carry the same version
    for path in (built.addin, built.workbook):
        src = modules_of(path)["xlwings"]
        assert re.findall(r'PROJECT_NAME As String = "([^"]*)"', src) == ["regbef"]
        assert 'Sheets(PROJECT_NAME & ".conf")' in src
    src = modules_of(built.addin)["xlwings"]
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
    assert labels == ["Ny arbeidsbok", "Valider", "Estimer parametre", "Kjør framskriving",
                      "Sammenlign scenarier", "Sammenlign med SSB", "Maler for kommuner",
                      "Samle inn kommunemaler", "Estimer regresjon", "Regresjon → mål", "Tilbaketest",
                      "Hjelp/Om"]  # fmt: skip
    assert {b.get("id") for b in buttons} == set(macros.ACTIONS)  # every button has its action
    assert all(b.get("supertip") and b.get("screentip") for b in buttons)
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
def dir_project_name(data: bytes) -> str:
    """PROJECTNAME (record 0x0004) of a decompressed dir stream ([MS-OVBA] 2.3.4.2.1.6)."""
    i = 0
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        if rid == 0x0004:
            return data[i + 6 : i + 6 + size].decode("cp1252")
        i += 6 + (6 if rid == 0x0009 else size)
    raise AssertionError("no PROJECTNAME record")


def dir_module_names(data: bytes) -> list[str]:
    """MODULENAME records (0x0019) of a decompressed dir stream, in order."""
    out, i = [], 0
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        if rid == 0x0019:
            out.append(data[i + 6 : i + 6 + size].decode("cp1252"))
        i += 6 + (6 if rid == 0x0009 else size)
    return out


def projectwm_names(data: bytes) -> list[str]:
    """Module names of a PROJECTwm stream ([MS-OVBA] 2.3.3), checking that each MBCS name and
    its UTF-16 twin agree and that the stream ends with the two-byte terminator."""
    names, i = [], 0
    while data[i : i + 2] != b"\x00\x00":
        end = data.index(b"\x00", i)
        mbcs = data[i:end].decode("cp1252")
        j = end + 1
        k = j
        while data[k : k + 2] != b"\x00\x00":
            k += 2
        assert data[j:k].decode("utf-16-le") == mbcs
        names.append(mbcs)
        i = k + 2
    assert i + 2 == len(data), "bytes after the PROJECTwm terminator"
    return names


def cfb_directory(raw: bytes) -> list[tuple[str, int, int, int]]:
    """(name, object type, starting sector, size) of every directory entry, read straight from
    the compound file's bytes ([MS-CFB] 2.2 header, 2.3 FAT, 2.6 directory entries)."""
    assert raw[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    shift = struct.unpack_from("<H", raw, 0x1E)[0]
    sector = 1 << shift
    first_dir = struct.unpack_from("<I", raw, 0x30)[0]
    n_fat = struct.unpack_from("<I", raw, 0x2C)[0]
    difat = struct.unpack_from("<109I", raw, 0x4C)[:n_fat]
    fat = []
    for s in difat:
        fat += struct.unpack_from(f"<{sector // 4}I", raw, (s + 1) * sector)
    out, s = [], first_dir
    while s != 0xFFFFFFFE:
        block = raw[(s + 1) * sector : (s + 2) * sector]
        for off in range(0, sector, 128):
            e = block[off : off + 128]
            name_len, kind = struct.unpack_from("<HB", e, 64)
            if kind == 0:
                continue
            name = e[: max(name_len - 2, 0)].decode("utf-16-le")
            start, size = struct.unpack_from("<IQ", e, 116)
            out.append((name, kind, start, size))
        s = fat[s]
    return out


def test_project_name_does_not_clash_with_a_module(built):
    """VBA names are case-insensitive: a project 'REGBEF' with a module 'Regbef' is refused by
    the VBA editor. Read back through olefile and our own dir-stream parser."""
    for path in (built.addin, built.workbook):
        ole = olefile.OleFileIO(vba_bin(path))
        try:
            d = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
            project = ole.openstream("PROJECT").read().decode("cp1252")
        finally:
            ole.close()
        name = dir_project_name(d)
        assert re.search(r'^Name="([^"]+)"', project, re.M).group(1) == name
        modules = dir_module_names(d)
        assert "Regbef" in modules
        assert name.casefold() not in {m.casefold() for m in modules}, (name, modules)
    assert dir_project_name(bytes(decompress_stream(bytearray(
        olefile.OleFileIO(vba_bin(built.addin)).openstream("VBA/dir").read())))) == "RegbefAddin"  # fmt: skip
    with pytest.raises(ValueError, match="clashes"):
        ovba.VbaProject([ovba.Module("Regbef", "standard", 'Attribute VB_Name = "Regbef"')],
                        name="REGBEF").streams()  # fmt: skip


def test_class_modules_carry_the_attributes_excel_writes(built):
    """Every class module starts with the eight attributes Excel stores, in Excel's order —
    compared with the Dictionary class of xlwings' Excel-made add-in."""
    def header(code: str) -> list[str]:
        return [ln for ln in code.split("\n") if ln.startswith("Attribute VB_")]

    excel = header(modules_of(EXCEL_MADE)["Dictionary"])
    for path in (built.addin, built.workbook):
        ours = header(modules_of(path)["Dictionary"])
        assert ours == excel
    keys = [ln.split()[1] for ln in excel[:8]]
    assert keys == [k for k, _ in ovba.CLASS_ATTRIBUTES]
    # a value in the source wins over the default; an unknown attribute is kept after them
    lines = ovba.class_attributes(['Attribute VB_Name = "C"', "Attribute VB_Exposed = True",
                                   'Attribute VB_Description = "d"', "Option Explicit"])  # fmt: skip
    assert lines[5] == "Attribute VB_Exposed = True" and lines[8:] == ['Attribute VB_Description = "d"', "Option Explicit"]
    with pytest.raises(ValueError, match="VB_Name"):
        ovba.class_attributes(["Option Explicit"])


def test_projectwm_lists_every_module(built):
    """[MS-OVBA] 2.3.3 PROJECTwm: one MBCS + UTF-16 name per module, in dir order; the
    Excel-made add-in's stream parses the same way."""
    with zipfile.ZipFile(EXCEL_MADE) as z:
        theirs = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    try:
        d = bytes(decompress_stream(bytearray(theirs.openstream("VBA/dir").read())))
        assert projectwm_names(theirs.openstream("PROJECTwm").read()) == dir_module_names(d)
    finally:
        theirs.close()
    for path in (built.addin, built.workbook):
        ole = olefile.OleFileIO(vba_bin(path))
        try:
            assert ole.exists("PROJECTwm")
            d = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
            names = projectwm_names(ole.openstream("PROJECTwm").read())
        finally:
            ole.close()
        assert names == dir_module_names(d)
        assert {"ThisWorkbook", "Regbef", "RegbefUdfs", "xlwings", "Dictionary"} <= set(names)


def test_storages_start_at_sector_zero(built):
    """[MS-CFB] 2.6.3: a storage object's starting sector location MUST be 0 (and its size 0).
    Read from the raw bytes and with olefile; the Excel-made file is the same."""
    with zipfile.ZipFile(EXCEL_MADE) as z:
        files = [z.read("xl/vbaProject.bin")]
    files += [vba_bin(built.addin), vba_bin(built.workbook)]
    for raw in files:
        entries = cfb_directory(raw)
        storages = [(n, start, size) for n, kind, start, size in entries if kind == 1]
        assert storages == [("VBA", 0, 0)]
        root = next(e for e in entries if e[1] == 5)
        assert root[0] == "Root Entry" and root[3] > 0
        ole = olefile.OleFileIO(raw)
        try:
            for e in ole.direntries:
                if e is not None and e.entry_type == olefile.STGTY_STORAGE:
                    assert (e.isectStart, e.size) == (0, 0), e.name
        finally:
            ole.close()


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


def test_install_writes_the_interpreter_once_and_keeps_a_user_setting(tmp_path):
    home = tmp_path / "home"
    exe = tmp_path / "venv" / "Scripts" / "python.exe"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(b"")
    (exe.parent / "pythonw.exe").write_bytes(b"")
    msg = addin.write_interpreter_config("win", home=home, executable=str(exe), prefix=str(tmp_path / "venv"))
    conf = home / ".regbef" / "regbef.conf"
    assert msg == f"Wrote INTERPRETER_WIN = {exe.parent / 'pythonw.exe'} to {conf}."
    # the format xlwings' VBA reads with Input #: "KEY","value" per line
    assert conf.read_text(encoding="utf-8") == f'"INTERPRETER_WIN","{exe.parent / "pythonw.exe"}"\n'
    # a user's own setting (and every other line) is never changed
    conf.write_text('"SHOW CONSOLE","True"\n"Interpreter_Win","C:\\mine\\pythonw.exe"', encoding="utf-8")
    before = conf.read_bytes()
    msg = addin.write_interpreter_config("win", home=home, executable=str(exe), prefix=str(tmp_path / "venv"))
    assert conf.read_bytes() == before
    assert msg.startswith("Kept your setting") and "C:\\mine\\pythonw.exe" in msg and "differs" in msg
    # macOS: INTERPRETER_MAC in Excel's sandbox container; other lines kept
    mac_conf = addin.user_conf_path("mac", home)
    mac_conf.parent.mkdir(parents=True)
    mac_conf.write_text('"SHOW CONSOLE","True"', encoding="utf-8")
    addin.write_interpreter_config("mac", home=home, executable="/opt/env/bin/python3")
    assert mac_conf == home / "Library/Containers/com.microsoft.Excel/Data/regbef.conf"
    assert mac_conf.read_text(encoding="utf-8") == '"SHOW CONSOLE","True"\n"INTERPRETER_MAC","/opt/env/bin/python3"\n'


def test_conda_environment_on_windows_gets_conda_settings(tmp_path):
    base = tmp_path / "miniconda3"
    env = base / "envs" / "regbef"
    (base / "condabin").mkdir(parents=True)
    (env / "conda-meta").mkdir(parents=True)
    assert addin.environment_settings("win", str(env / "python.exe"), str(env)) == [
        ("CONDA PATH", str(base)), ("CONDA ENV", "regbef")]  # fmt: skip
    (base / "conda-meta").mkdir()
    assert addin.environment_settings("win", str(base / "python.exe"), str(base)) == [
        ("CONDA PATH", str(base)), ("CONDA ENV", "base")]  # fmt: skip


def test_install_check_reports_the_python_excel_will_use(tmp_path):
    import sys

    home = tmp_path / "home"
    addin.write_interpreter_config("mac", home=home, executable=sys.executable)
    check = addin.check_install("darwin", home=home)
    assert check.ok, check.report
    assert f"Excel will start: {sys.executable}  [INTERPRETER_MAC]" in check.report
    assert f"xlwings {addin.PINNED_XLWINGS} import there" in check.report
    conf = addin.user_conf_path("mac", home)
    conf.write_text(f'"INTERPRETER_MAC","{tmp_path / "nowhere" / "python3"}"\n', encoding="utf-8")
    check = addin.check_install("darwin", home=home)
    assert not check.ok and "NOT OK: could not start" in check.report
    with pytest.raises(RegbefError, match="Windows or macOS"):
        addin.check_install("linux", home=home)


def test_cli_install_check_on_linux_exits_1(capsys):
    assert main(["addin", "install", "--check"]) == 1
    assert "Windows or macOS" in capsys.readouterr().err


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
                                    (built.addin, "Calc MS Excel 2007 VBA XML", "RegbefAddin")):  # fmt: skip
        ods = _lo_convert(path, tmp_path, infilter)
        with zipfile.ZipFile(ods) as z:
            basic = {Path(n).stem for n in z.namelist() if n.startswith(f"Basic/{library}/")}
        assert {"Regbef", "RegbefUdfs", "xlwings", "Dictionary", "ThisWorkbook"} <= basic
