"""Live LibreOffice Calc through UNO: the reader back-end (:class:`UnoBackend`) and the macros'
workbook (:class:`LibreOfficeLiveWorkbook`).

This is the LibreOffice twin of :mod:`regbef_excel.io.xlwings_live`: the REGBEF toolbar of the
``REGBEF.oxt`` extension runs ``macros.execute(action, LibreOfficeLiveWorkbook(doc, ctx))``,
exactly the call the Excel ribbon makes with an ``XlwingsLiveWorkbook``. The same reader, engine
and writer run; only these one-line UNO calls differ. The same object works inside LibreOffice
(the toolbar) and from a separate Python process connected over a pipe or socket (the tests).

``uno`` is imported only inside calls (:func:`uno_module`): the module imports everywhere, and
where LibreOffice's Python bridge is missing the caller gets :class:`FeatureNotAvailable`.

Differences from Excel that a planner may notice are in ``docs/libreoffice.md``: an Excel table
is a *database range* in Calc (same name, same cells); a date typed into a number column reads
as its serial number.
"""

from __future__ import annotations

import builtins
import glob
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from regbef_excel.errors import FeatureNotAvailable
from regbef_excel.io.backend import TableRef, WorkbookBackend
from regbef_excel.schema.messages import TITLE

#: Where LibreOffice's ``uno.py`` lives when the running Python cannot import it (a venv):
#: ``$REGBEF_UNO_PATH``, then Debian/Ubuntu ``python3-uno``, then LibreOffice's own program
#: folder (Fedora, the LibreOffice.org packages under /opt).
UNO_DIRS = ("/usr/lib/python3/dist-packages", "/usr/lib/libreoffice/program",
            "/usr/lib64/libreoffice/program", "/opt/libreoffice*/program")  # fmt: skip

#: Prefix of the temporary sheet names while results are copied in.
TEMP_SHEET = "~regbef"


def uno_module() -> ModuleType:
    """The ``uno`` module of LibreOffice's Python bridge.

    Imported normally when the running Python has it (LibreOffice's own Python, a system Python
    with ``python3-uno``). Otherwise ``uno.py`` is loaded from its file in :data:`UNO_DIRS` —
    only that module, not the whole system ``dist-packages`` folder (it adds LibreOffice's
    program folder itself, where its binary part ``pyuno`` is). This needs the same Python
    minor version as the system's (``pyuno`` is compiled for it).

    Raises
    ------
    FeatureNotAvailable
        If no usable ``uno`` is found.
    """
    before = builtins.__import__
    try:
        import uno  # optional: LibreOffice's Python bridge (python3-uno)

        return uno
    except ImportError:
        pass
    finally:
        # uno.py replaces the import function (for ``from com.sun.star... import X``, which
        # this module does not use) and its replacement breaks some packages' relative imports
        # (tqdm, hence pyfixest): give the process its own import function back
        builtins.__import__ = before
    dirs = [os.environ.get("REGBEF_UNO_PATH", "")] + [d for p in UNO_DIRS for d in sorted(glob.glob(p))]
    problems = []
    for folder in filter(None, dirs):
        if not (Path(folder) / "uno.py").is_file():
            continue
        for name in ("uno", "unohelper"):  # unohelper: the toolbar's protocol handler needs it
            spec = importlib.util.spec_from_file_location(name, Path(folder) / f"{name}.py")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except Exception as exc:  # noqa: BLE001 - e.g. pyuno built for another Python
                sys.modules.pop(name, None)
                problems.append(f"{folder}: {type(exc).__name__}: {exc}")
                break
        builtins.__import__ = before
        if "uno" in sys.modules:
            return sys.modules["uno"]
    found = "; ".join(problems) or "no uno.py in " + ", ".join(UNO_DIRS)
    raise FeatureNotAvailable(f"LibreOffice's Python bridge (uno) is not available to Python "
                              f"{sys.version.split()[0]} ({found}). Install python3-uno, or set "
                              "REGBEF_UNO_PATH to the folder that holds uno.py.")  # fmt: skip


def property_values(**values: object) -> tuple:
    """UNO ``PropertyValue`` structs from keyword arguments (load/store options)."""
    uno = uno_module()
    out = []
    for name, value in values.items():
        pv = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
        pv.Name, pv.Value = name, value
        out.append(pv)
    return tuple(out)


def file_url(path: Path) -> str:
    return uno_module().systemPathToFileUrl(str(Path(path).resolve()))


def open_document(ctx, path: Path, *, hidden: bool = True, read_only: bool = False):  # noqa: ANN001, ANN201 - UNO objects
    """Open a spreadsheet file in the LibreOffice behind ``ctx`` (a component context)."""
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    opts = property_values(Hidden=hidden, ReadOnly=read_only)
    doc = desktop.loadComponentFromURL(file_url(path), "_blank", 0, opts)
    if doc is None or not hasattr(doc, "Sheets"):
        raise FeatureNotAvailable(f"LibreOffice could not open {path} as a spreadsheet (open in another "
                                  "program, or a stale lock file .~lock.*# beside it?)")
    return doc


#: Environment variable naming a JSON file of answers for the toolbar's questions (headless runs).
ANSWERS_ENV = "REGBEF_ANSWERS"


def scripted_answers(path: str | os.PathLike[str]) -> dict[str, Callable]:
    """The ``choose_open``, ``choose_save`` and ``answer`` arguments of
    :class:`LibreOfficeLiveWorkbook` from a JSON file, for a LibreOffice that shows no dialogs
    (headless, automated): ``{"ask_text": [...], "ask_open_path": [...], "ask_save_path": [...]}``,
    each question taking the next answer of its kind; a question with no answer left is
    cancelled. The toolbar's handler uses it when ``$REGBEF_ANSWERS`` names such a file.
    """
    given = json.loads(Path(path).read_text(encoding="utf-8"))
    queues = {kind: list(given.get(kind, [])) for kind in ("ask_text", "ask_open_path", "ask_save_path")}

    def take(kind: str) -> str | None:
        return queues[kind].pop(0) if queues[kind] else None

    def as_path(value: str | None) -> Path | None:
        return None if value is None else Path(value)

    return {"answer": lambda prompt, title, default="": take("ask_text"),
            "choose_open": lambda title: as_path(take("ask_open_path")),
            "choose_save": lambda suggested, title: as_path(take("ask_save_path"))}  # fmt: skip


class UnoBackend(WorkbookBackend):
    """Read sheets, tables (Calc database ranges) and cell values of a Calc document.

    Parameters
    ----------
    doc : com.sun.star.sheet.SpreadsheetDocument
        The live document. It is only read.
    label : str
        Name used in messages.
    """

    def __init__(self, doc, label: str = "workbook") -> None:  # noqa: ANN001 - UNO document
        self.doc = doc
        self.label = label

    def sheet_names(self) -> list[str]:
        return list(self.doc.Sheets.ElementNames)

    def tables(self) -> dict[str, TableRef]:
        # an Excel table is imported as a named database range (header row included)
        names = self.sheet_names()
        out = {}
        ranges = self.doc.DatabaseRanges
        for name in ranges.ElementNames:
            a = ranges.getByName(name).DataArea
            out[name] = TableRef(name, names[a.Sheet], a.StartRow + 1, a.StartColumn + 1,
                                 a.EndRow + 1, a.EndColumn + 1)  # fmt: skip
        return out

    def read_values(
        self, sheet: str, min_row: int, min_col: int, max_col: int, max_row: int | None = None
    ) -> list[list[object]]:
        sh = self.doc.Sheets.getByName(sheet)
        if max_row is None:
            cursor = sh.createCursor()
            cursor.gotoEndOfUsedArea(False)
            max_row = max(cursor.RangeAddress.EndRow + 1, min_row)
        rng = sh.getCellRangeByPosition(min_col - 1, min_row - 1, max_col - 1, max_row - 1)
        # getDataArray: numbers as float, text as str, empty cells as '' and error cells as None
        values = [[None if v == "" else v for v in row] for row in rng.getDataArray()]
        error = uno_module().getConstantByName("com.sun.star.sheet.FormulaResult.ERROR")
        for area in rng.queryFormulaCells(error).RangeAddresses:
            for r in range(area.StartRow, area.EndRow + 1):
                for c in range(area.StartColumn, area.EndColumn + 1):
                    text = sh.getCellByPosition(c, r).String  # '#N/A', '#DIV/0!' as shown
                    values[r - min_row + 1][c - min_col + 1] = text
        return values

    def custom_properties(self) -> dict[str, str]:
        props = self.doc.DocumentProperties.UserDefinedProperties
        names = [p.Name for p in props.PropertySetInfo.Properties]
        return {n: str(props.getPropertyValue(n)) for n in names}


class LibreOfficeLiveWorkbook:
    """:class:`~regbef_excel.io.backend.LiveWorkbook` over a Calc document. Thin by design.

    Parameters
    ----------
    doc : com.sun.star.sheet.SpreadsheetDocument
        The document the toolbar was pressed in (``frame.Controller.Model``).
    ctx : com.sun.star.uno.XComponentContext
        The component context of the LibreOffice that holds ``doc``.
    message : callable, optional
        ``message(text, title)`` instead of a message box (headless runs, tests).
    choose_open, choose_save : callable, optional
        ``choose_open(title)`` / ``choose_save(suggested, title)`` returning a path or ``None``,
        instead of LibreOffice's file dialog.
    """

    def __init__(
        self,
        doc,  # noqa: ANN001 - UNO document
        ctx,  # noqa: ANN001 - UNO component context
        *,
        message: Callable[[str, str], None] | None = None,
        choose_open: Callable[[str], Path | None] | None = None,
        choose_save: Callable[[str, str], Path | None] | None = None,
        answer: Callable[[str, str, str], str | None] | None = None,
    ) -> None:
        self.doc, self.ctx = doc, ctx
        self._message, self._choose_open, self._choose_save = message, choose_open, choose_save
        self._answer = answer
        self._indicator = None
        here = self.path()
        self.name = here.name if here is not None else str(doc.Title)

    def backend(self) -> WorkbookBackend:
        return UnoBackend(self.doc, self.name)

    def sheet_names(self) -> list[str]:
        return list(self.doc.Sheets.ElementNames)

    def path(self) -> Path | None:
        url = str(self.doc.URL)
        if not url.startswith("file:"):
            return None  # unsaved, or on a remote (WebDAV, SharePoint) location
        path = Path(uno_module().fileUrlToSystemPath(url))
        return path if path.exists() else None

    def status(self, text: str | None) -> None:
        if text is None:
            if self._indicator is not None:
                self._indicator.end()
                self._indicator = None
            return
        if self._indicator is None:
            self._indicator = self.doc.CurrentController.Frame.createStatusIndicator()
            self._indicator.start(text, 0)
        self._indicator.setText(text)

    def alert(self, text: str, title: str = TITLE) -> None:
        if self._message is not None:
            self._message(text, title)
            return
        uno = uno_module()
        window = self.doc.CurrentController.Frame.ContainerWindow
        toolkit = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.awt.Toolkit", self.ctx)
        kind = uno.Enum("com.sun.star.awt.MessageBoxType", "INFOBOX")
        ok = uno.getConstantByName("com.sun.star.awt.MessageBoxButtons.BUTTONS_OK")
        toolkit.createMessageBox(window, kind, ok, title, text).execute()

    def ask_open_path(self, title: str) -> Path | None:
        if self._choose_open is not None:
            return self._choose_open(title)
        return self._pick("FILEOPEN_SIMPLE", title, "")

    def ask_save_path(self, suggested: str, title: str) -> Path | None:
        if self._choose_save is not None:
            return self._choose_save(suggested, title)
        return self._pick("FILESAVE_AUTOEXTENSION", title, suggested)

    def ask_text(self, prompt: str, title: str, default: str = "") -> str | None:
        if self._answer is not None:
            return self._answer(prompt, title, default)
        # a small modal dialog: the prompt, one edit field, OK and Cancel
        smgr = self.ctx.ServiceManager
        model = smgr.createInstanceWithContext("com.sun.star.awt.UnoControlDialogModel", self.ctx)
        model.Width, model.Height, model.Title = 220, 80, title
        parts = (("prompt", "FixedText", dict(PositionX=8, PositionY=6, Width=204, Height=30, Label=prompt, MultiLine=True)),
                 ("answer", "Edit", dict(PositionX=8, PositionY=40, Width=204, Height=14, Text=default)),
                 ("ok", "Button", dict(PositionX=110, PositionY=60, Width=48, Height=14, Label="OK", PushButtonType=1, DefaultButton=True)),
                 ("cancel", "Button", dict(PositionX=164, PositionY=60, Width=48, Height=14, Label="Avbryt", PushButtonType=2)))  # fmt: skip
        for name, kind, props in parts:
            part = model.createInstance(f"com.sun.star.awt.UnoControl{kind}Model")
            for key, value in props.items():
                setattr(part, key, value)
            model.insertByName(name, part)
        dialog = smgr.createInstanceWithContext("com.sun.star.awt.UnoControlDialog", self.ctx)
        dialog.setModel(model)
        dialog.createPeer(smgr.createInstanceWithContext("com.sun.star.awt.Toolkit", self.ctx), None)
        try:
            if dialog.execute() != 1:
                return None
            return str(dialog.getControl("answer").getText())
        finally:
            dialog.dispose()

    def _pick(self, template: str, title: str, suggested: str) -> Path | None:
        uno = uno_module()
        kind = uno.getConstantByName(f"com.sun.star.ui.dialogs.TemplateDescription.{template}")
        picker = self.ctx.ServiceManager.createInstanceWithArgumentsAndContext(
            "com.sun.star.ui.dialogs.FilePicker", (kind,), self.ctx)  # fmt: skip
        picker.setTitle(title)
        picker.appendFilter("Excel (*.xlsx, *.xlsm)", "*.xlsx;*.xlsm")
        if suggested:
            picker.setDefaultName(suggested)
        here = self.path()
        if here is not None:
            picker.setDisplayDirectory(file_url(here.parent))
        if picker.execute() != 1:  # ExecutableDialogResults.OK
            return None
        files = picker.getSelectedFiles()
        return Path(uno.fileUrlToSystemPath(files[0])) if files else None

    def replace_sheets(self, source: Path, names: Sequence[str]) -> None:
        sheets = self.doc.Sheets
        src = open_document(self.ctx, source)  # not read-only: its sheets are renamed (never saved)
        copies: list[tuple[str, str]] = []  # (temporary name, final name)
        self.doc.lockControllers()
        try:
            try:
                available = set(src.Sheets.ElementNames)
                for i, name in enumerate(names):
                    if name not in available:
                        continue
                    temp = f"{TEMP_SHEET}{i}"
                    src.Sheets.getByName(name).Name = temp  # only in the unsaved, hidden copy
                    where = sheets.ElementNames.index(name) if sheets.hasByName(name) else sheets.Count
                    # importSheet copies cells, formats and charts (re-pointed to the copy)
                    sheets.importSheet(src, temp, where)
                    copies.append((temp, name))
            except BaseException:
                for temp, _ in copies:  # all or nothing: drop the copies made so far
                    sheets.removeByName(temp)
                raise
            finally:
                src.close(True)
            for temp, name in copies:
                if sheets.hasByName(name):
                    sheets.removeByName(name)
                sheets.getByName(temp).Name = name
        finally:
            self.doc.unlockControllers()
        # The view stays on the sheet the planner had open. Activating a result sheet here made
        # LibreOffice 7.4 (headless, driven over UNO) abort when the next run replaced that sheet:
        # hiding a drawing page whose form-view activation event was still queued
        # (ScDocument::DeleteTab / ScTabView::SetTabNo -> FmFormView::HideSdrPage ->
        # Application::RemoveUserEvent).



__all__ = ["ANSWERS_ENV", "LibreOfficeLiveWorkbook", "UnoBackend", "open_document", "property_values",
           "scripted_answers", "uno_module"]  # fmt: skip
