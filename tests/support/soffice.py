"""A headless LibreOffice for live tests: its own profile, driven over a named pipe.

``Office(root)`` starts ``soffice --headless`` with ``-env:UserInstallation`` under ``root`` (so
parallel runs and a user's own LibreOffice never meet) and ``--accept=pipe,...``, and connects
from this Python through UNO. :func:`skip_reason` says why live tests cannot run here (no
soffice, no usable ``uno``), so they skip cleanly instead of failing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

from regbef_excel.errors import FeatureNotAvailable
from regbef_excel.io import libreoffice_live as lo

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
UNOPKG = shutil.which("unopkg")

#: Seconds to wait for soffice to accept the first connection (a fresh profile is slow).
START_TIMEOUT = 90


def skip_reason() -> str | None:
    """Why a live LibreOffice test cannot run here, or None."""
    if SOFFICE is None:
        return "LibreOffice (soffice) is not installed"
    try:
        lo.uno_module()
    except FeatureNotAvailable as exc:
        return str(exc)
    return None


def profile_args(root: Path) -> list[str]:
    """The private profile under ``root``, and a private folder for "shared" extensions (so
    ``unopkg add --shared`` — the only form root may run — never touches the installation)."""
    return [f"-env:UserInstallation={(root / 'profile').resolve().as_uri()}",
            f"-env:UNO_SHARED_PACKAGES_CACHE={(root / 'shared').resolve().as_uri()}"]  # fmt: skip


def install_extension(root: Path, oxt: Path) -> str:
    """``unopkg add`` the extension into the private profile under ``root`` (office not running);
    returns unopkg's output."""
    proc = subprocess.run([UNOPKG, "add", "--shared", "--suppress-license", *profile_args(root), str(oxt)],
                          capture_output=True, text=True, timeout=180)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"unopkg add failed ({proc.returncode}): {proc.stdout} {proc.stderr}")
    return proc.stdout + proc.stderr


def ui_locale(ctx) -> str:  # noqa: ANN001 - UNO component context
    """LibreOffice's user-interface language (``en-US`` unless a language pack and setting say
    otherwise)."""
    uno = lo.uno_module()
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    node = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    node.Name, node.Value = "nodepath", "/org.openoffice.Setup/L10N"
    access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationAccess", (node,))
    return str(access.getByName("ooLocale") or "en-US")


def toolbar_items(doc, url: str) -> list[tuple[str, tuple[int, int, int, int]]]:  # noqa: ANN001 - UNO document
    """(label, (x, y, width, height)) of each item of the toolbar ``url`` in ``doc``'s window,
    as LibreOffice reports them to screen readers (its accessibility tree)."""
    toolbar = doc.CurrentController.Frame.LayoutManager.getElement(url).RealInterface
    context = toolbar.getAccessibleContext()
    items = []
    for i in range(context.getAccessibleChildCount()):
        child = context.getAccessibleChild(i).getAccessibleContext()
        b = child.getBounds()
        items.append((str(child.getAccessibleName()), (b.X, b.Y, b.Width, b.Height)))
    return items


class Office:
    """One headless soffice process and a UNO connection to it."""

    def __init__(self, root: Path, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.pipe = f"regbef-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        log = open(root / "soffice.log", "wb")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(
            [SOFFICE, *profile_args(root), "--headless", "--invisible",
             "--norestore", "--nologo", "--nodefault", "--nolockcheck",
             f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )  # fmt: skip
        try:
            self.ctx = self._connect()
        except BaseException:
            self.stop()
            raise
        self.desktop = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def _connect(self):  # noqa: ANN202 - UNO component context
        uno = lo.uno_module()
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                return resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
            except Exception:  # NoConnectException: not listening yet
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"soffice did not accept a connection (exit {self.proc.poll()}); "
                                       f"see {self.root / 'soffice.log'}") from None  # fmt: skip
                time.sleep(0.1)

    def open(self, path: Path, *, hidden: bool = True):  # noqa: ANN201 - UNO document
        return lo.open_document(self.ctx, path, hidden=hidden)

    def stop(self) -> None:
        try:
            if hasattr(self, "desktop"):
                self.desktop.terminate()
        except Exception:  # noqa: BLE001, S110 - the bridge closes as soffice exits
            pass
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()
