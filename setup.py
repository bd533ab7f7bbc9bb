"""Ships the top-level orderdesk.tcss inside the package, where the app looks for it."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

STYLESHEET = "orderdesk.tcss"


class BuildWithStylesheet(build_py):
    """The usual build, plus the stylesheet copied into the built package."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            self.copy_file(STYLESHEET, str(Path(self.build_lib) / "orderdesk" / STYLESHEET))


setup(cmdclass={"build_py": BuildWithStylesheet})
