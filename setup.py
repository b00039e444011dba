"""Build step: the wheel carries ontology/ and queries/ inside the package (kgbuild/ontology, kgbuild/queries).

They stay at the top of the source tree for people; kgbuild.paths finds the packaged copy
with importlib.resources. Everything else is declared in pyproject.toml.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("ontology", "queries")
PATTERNS = ("*.ttl", "*.rq")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders directly
        here = Path(__file__).parent
        for name in SHIPPED:
            target = Path(self.build_lib) / "kgbuild" / name
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for pattern in PATTERNS:
                for source in sorted((here / name).glob(pattern)):
                    shutil.copy2(source, target / source.name)


setup(cmdclass={"build_py": BuildPyWithData})
