"""Maps the design card's top-level folders under the `kernelwright` namespace.

pyproject.toml holds the metadata; this file only lists the packages, because
setuptools cannot derive `kernelwright.agent.generator` from `agent/generator`
in declarative configuration.
"""

from setuptools import find_packages, setup

ROOTS = ("server", "agent", "harness", "knowledge")

setup(
    packages=[
        f"kernelwright.{name}"
        for root in ROOTS
        for name in find_packages(include=[root, f"{root}.*"])
    ],
    package_dir={f"kernelwright.{root}": root for root in ROOTS},
)
