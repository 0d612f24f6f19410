"""Build ``REGBEF.oxt``: the REGBEF toolbar and menu for LibreOffice Calc.

The extension is the LibreOffice twin of the Excel ribbon and is generated from the same source,
``workbook/customUI14.xml``: one toolbar button and one menu entry per ribbon button, same ids,
Norwegian and English labels (:mod:`regbef_excel.addin.ribbon`); LibreOffice shows the ones of its
user interface language (``xml:lang`` values; English for any language but Norwegian). Pressing one
dispatches the URL ``org.regbef.calc:<button id>`` to a small Python protocol handler
(:data:`HANDLER`, shipped as ``regbef_toolbar.py``), which runs, inside LibreOffice::

    regbef_excel.excel.macros.execute(button_id, LibreOfficeLiveWorkbook(document, ctx))

— the same function the Excel ribbon calls, with the UNO adapter
(:mod:`regbef_excel.io.libreoffice_live`) in place of the xlwings one.

LibreOffice runs the handler in its own Python (on Debian/Ubuntu the system ``python3`` with
``python3-uno``). The handler puts the folders of the Python environment that built the
extension in front of ``sys.path`` (like the Excel add-in's interpreter setting), so build it
from the environment where ``regbef_excel`` is installed; that Python and LibreOffice's must
share the minor version (checked when a button is pressed, with a message saying so).

Contents: ``META-INF/manifest.xml``, ``description.xml``, ``Addons.xcu`` (menu and toolbar),
``CalcWindowState.xcu`` (the toolbar's name, docked and visible), ``ProtocolHandler.xcu`` and
``regbef_toolbar.py``. Entries are sorted and carry the fixed build time, so the same sources
and paths give the same bytes.
"""

from __future__ import annotations

import io
import os
import site
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from regbef_excel import __version__
from regbef_excel.addin.ribbon import Button, ribbon_buttons

OXT_NAME = "REGBEF.oxt"
IDENTIFIER = "org.regbef.calc"
PROTOCOL = "org.regbef.calc:"
IMPLEMENTATION = "org.regbef.calc.Toolbar"
TOOLBAR = "org.regbef.calc.toolbar"
CALC = "com.sun.star.sheet.SpreadsheetDocument"

def default_python_paths() -> list[str]:
    """Folders LibreOffice's Python needs to import ``regbef_excel`` as this Python does: the
    folder holding the package (a checkout or site-packages), then this environment's
    site-packages (their ``.pth`` files are processed, so editable installs work)."""
    package_parent = str(Path(__file__).resolve().parents[2])
    paths = [package_parent, *site.getsitepackages()]
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        paths.append(site.getusersitepackages())
    return list(dict.fromkeys(paths))


# ---------------------------------------------------------------------------------- the parts
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">
 <manifest:file-entry manifest:media-type="application/vnd.sun.star.uno-component;type=Python" manifest:full-path="regbef_toolbar.py"/>
 <manifest:file-entry manifest:media-type="application/vnd.sun.star.configuration-data" manifest:full-path="ProtocolHandler.xcu"/>
 <manifest:file-entry manifest:media-type="application/vnd.sun.star.configuration-data" manifest:full-path="Addons.xcu"/>
 <manifest:file-entry manifest:media-type="application/vnd.sun.star.configuration-data" manifest:full-path="CalcWindowState.xcu"/>
</manifest:manifest>
"""

DESCRIPTION = """<?xml version="1.0" encoding="UTF-8"?>
<description xmlns="http://openoffice.org/extensions/description/2006"
             xmlns:xlink="http://www.w3.org/1999/xlink">
 <identifier value="{identifier}"/>
 <version value="{version}"/>
 <display-name>
  <name lang="nb">REGBEF – befolkningsframskriving</name>
  <name lang="en">REGBEF – population projections</name>
 </display-name>
 <platform value="all"/>
</description>
"""

PROTOCOL_HANDLER = f"""<?xml version="1.0" encoding="UTF-8"?>
<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
                    oor:name="ProtocolHandler" oor:package="org.openoffice.Office">
 <node oor:name="HandlerSet">
  <node oor:name="{IMPLEMENTATION}" oor:op="replace">
   <prop oor:name="Protocols" oor:type="oor:string-list"><value>{PROTOCOL}*</value></prop>
  </node>
 </node>
</oor:component-data>
"""

WINDOW_STATE = f"""<?xml version="1.0" encoding="UTF-8"?>
<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
                    oor:name="CalcWindowState" oor:package="org.openoffice.Office.UI">
 <node oor:name="UIElements">
  <node oor:name="States">
   <node oor:name="private:resource/toolbar/addon_{TOOLBAR}" oor:op="replace">
    <prop oor:name="UIName" oor:type="xs:string"><value>REGBEF</value></prop>
    <prop oor:name="Docked" oor:type="xs:boolean"><value>true</value></prop>
    <prop oor:name="Visible" oor:type="xs:boolean"><value>true</value></prop>
    <prop oor:name="DockingArea" oor:type="xs:int"><value>0</value></prop>
   </node>
  </node>
 </node>
</oor:component-data>
"""


def _prop(name: str, *values: tuple[str | None, str]) -> str:
    vals = "".join(f"<value{f' xml:lang={quoteattr(lang)}' if lang else ''}>{escape(v)}</value>"
                   for lang, v in values)  # fmt: skip
    return f'<prop oor:name="{name}" oor:type="xs:string">{vals}</prop>'


def _item(b: Button) -> str:
    return "".join([
        _prop("URL", (None, PROTOCOL + b.id)),
        _prop("Title", ("en-US", b.label_en), ("nb", b.label_nb), ("nn", b.label_nb)),
        _prop("Target", (None, "_self")),
        _prop("Context", (None, CALC)),
    ])  # fmt: skip


def addons_xcu(buttons: list[Button]) -> str:
    """The menu ``REGBEF`` and the toolbar ``REGBEF``, one entry per button, Calc only."""
    menu = "".join(f'<node oor:name="m{i:02d}" oor:op="replace">{_item(b)}</node>' for i, b in enumerate(buttons))
    bar = "".join(f'<node oor:name="t{i:02d}" oor:op="replace">{_item(b)}</node>' for i, b in enumerate(buttons))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
                    oor:name="Addons" oor:package="org.openoffice.Office">
 <node oor:name="AddonUI">
  <node oor:name="OfficeMenuBar">
   <node oor:name="{IDENTIFIER}.menu" oor:op="replace">
    {_prop("Title", ("en-US", "REGBEF"))}
    {_prop("Context", (None, CALC))}
    <node oor:name="Submenu">{menu}</node>
   </node>
  </node>
  <node oor:name="OfficeToolBar">
   <node oor:name="{TOOLBAR}" oor:op="replace">{bar}</node>
  </node>
 </node>
</oor:component-data>
"""


#: The protocol handler LibreOffice loads (``{...}`` filled in by :func:`handler_source`).
HANDLER = '''"""REGBEF toolbar for LibreOffice Calc: runs org.regbef.calc:<button id> URLs.

GENERATED by `regbef-excel addin build` (regbef_excel.addin.oxt) - rebuild, do not edit.
Each button runs regbef_excel.excel.macros.execute(button_id, LibreOfficeLiveWorkbook(doc, ctx)),
the function the Excel ribbon calls. Headless LibreOffice shows no dialogs: set
REGBEF_MESSAGE_LOG to a file to get the messages there instead, and REGBEF_ANSWERS to a JSON
file of answers to the questions and file pickers (regbef_excel.io.libreoffice_live.scripted_answers).
"""
import os
import site
import sys

import unohelper
from com.sun.star.frame import XDispatch, XDispatchProvider
from com.sun.star.lang import XInitialization, XServiceInfo

#: Folders of the Python environment that built this extension (first on sys.path).
PYTHON_PATHS = {paths!r}
#: Python version of that environment (compiled packages need the same minor version).
BUILT_WITH = {version!r}
PROTOCOL = {protocol!r}
IMPLEMENTATION = {implementation!r}
SERVICE = "com.sun.star.frame.ProtocolHandler"


def use_environment():
    """Put the building environment's folders first on sys.path (once)."""
    if getattr(sys, "regbef_environment", None) == PYTHON_PATHS:
        return
    before = [p for p in sys.path if p not in PYTHON_PATHS]
    for path in PYTHON_PATHS:
        site.addsitedir(path)  # processes .pth files (editable installs)
    added = [p for p in sys.path if p not in before]
    sys.path[:] = PYTHON_PATHS + [p for p in added if p not in PYTHON_PATHS] + before
    sys.regbef_environment = PYTHON_PATHS


def message_to_log(text, title="REGBEF"):
    with open(os.environ["REGBEF_MESSAGE_LOG"], "a", encoding="utf-8") as fh:
        fh.write(text + "\\n\\f\\n")


def show_box(ctx, frame, text):
    toolkit = ctx.ServiceManager.createInstanceWithContext("com.sun.star.awt.Toolkit", ctx)
    from com.sun.star.awt.MessageBoxType import ERRORBOX
    toolkit.createMessageBox(frame.ContainerWindow, ERRORBOX, 1, "REGBEF", text).execute()


def press(button_id, frame, ctx):
    """What a toolbar button does; returns True on success."""
    message = message_to_log if os.environ.get("REGBEF_MESSAGE_LOG") else None
    if tuple(sys.version_info[:2]) != tuple(BUILT_WITH):
        text = ("REGBEF ble bygget for Python %d.%d, men LibreOffice bruker Python %d.%d. Bygg "
                "utvidelsen på nytt med en Python %d.%d: regbef-excel addin build"
                % (*BUILT_WITH, *sys.version_info[:2], *sys.version_info[:2]))
        (message or (lambda t: show_box(ctx, frame, t)))(text)
        return False
    try:
        use_environment()
        from regbef_excel.excel.macros import execute
        from regbef_excel.io.libreoffice_live import ANSWERS_ENV, LibreOfficeLiveWorkbook, scripted_answers
    except Exception as exc:
        text = ("REGBEF finner ikke Python-pakken regbef_excel (%s: %s). Søkte i: %s"
                % (type(exc).__name__, exc, ", ".join(PYTHON_PATHS)))
        (message or (lambda t: show_box(ctx, frame, t)))(text)
        return False
    answers = os.environ.get(ANSWERS_ENV)
    pickers = scripted_answers(answers) if answers else dict()
    live = LibreOfficeLiveWorkbook(frame.Controller.Model, ctx, message=message, **pickers)
    return execute(button_id, live)


class Toolbar(unohelper.Base, XDispatchProvider, XDispatch, XInitialization, XServiceInfo):
    def __init__(self, ctx, *args):
        self.ctx = ctx
        self.frame = None

    def initialize(self, args):
        if args:
            self.frame = args[0]

    def queryDispatch(self, url, target, flags):
        return self if url.Complete.startswith(PROTOCOL) else None

    def queryDispatches(self, requests):
        return tuple(self.queryDispatch(r.FeatureURL, r.FrameName, r.SearchFlags) for r in requests)

    def dispatch(self, url, args):
        press(url.Complete[len(PROTOCOL):], self.frame, self.ctx)

    def addStatusListener(self, listener, url):
        pass

    def removeStatusListener(self, listener, url):
        pass

    def getImplementationName(self):
        return IMPLEMENTATION

    def supportsService(self, name):
        return name == SERVICE

    def getSupportedServiceNames(self):
        return (SERVICE,)


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Toolbar, IMPLEMENTATION, (SERVICE,))
'''


def handler_source(python_paths: list[str], version: tuple[int, int]) -> str:
    """``regbef_toolbar.py`` for an environment."""
    return HANDLER.format(paths=list(python_paths), version=tuple(version), protocol=PROTOCOL,
                          implementation=IMPLEMENTATION)  # fmt: skip


def oxt_bytes(source_dir: Path, python_paths: list[str] | None = None,
              python_version: tuple[int, int] | None = None) -> bytes:  # fmt: skip
    """The extension as bytes (a zip; same inputs, same bytes)."""
    buttons = ribbon_buttons(source_dir)
    parts = {
        "META-INF/manifest.xml": MANIFEST,
        "description.xml": DESCRIPTION.format(identifier=IDENTIFIER, version=__version__),
        "ProtocolHandler.xcu": PROTOCOL_HANDLER,
        "Addons.xcu": addons_xcu(buttons),
        "CalcWindowState.xcu": WINDOW_STATE,
        "regbef_toolbar.py": handler_source(python_paths or default_python_paths(),
                                            python_version or sys.version_info[:2]),  # fmt: skip
    }
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", 946684800))
    when = datetime.fromtimestamp(max(epoch, 315532800), UTC).timetuple()[:6]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(parts):
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, parts[name].encode("utf-8"))
    return buf.getvalue()


def build_oxt(out_dir: str | os.PathLike[str], source_dir: str | os.PathLike[str], *,
              python_paths: list[str] | None = None) -> Path:  # fmt: skip
    """Write ``REGBEF.oxt`` into ``out_dir`` (built from the ribbon in ``source_dir``, for the
    running Python environment unless ``python_paths`` is given) and return its path.

    Install it with LibreOffice's Extension Manager (Tools → Extension Manager → Add) or
    ``unopkg add REGBEF.oxt``; restart LibreOffice.
    """
    data = oxt_bytes(Path(source_dir), python_paths)
    target = Path(out_dir) / OXT_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{OXT_NAME}.partial")
    partial.write_bytes(data)
    os.replace(partial, target)  # never a half-written extension
    return target


__all__ = ["OXT_NAME", "build_oxt", "default_python_paths", "handler_source", "oxt_bytes"]
