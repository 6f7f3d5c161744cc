#!/usr/bin/env python
"""The acrtransfer Azure CLI extension. The wheel holds only the azext_acrtransfer package."""
import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def _read(*parts):
    path = os.path.join(HERE, *parts)
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _version():
    # Read, not imported: importing the package would import azure.cli.core.
    match = re.search(r'^VERSION\s*=\s*[\'"]([^\'"]+)[\'"]',
                      _read("azext_acrtransfer", "vendored_sdks", "_version.py"), re.M)
    if not match:
        raise RuntimeError("VERSION not found in azext_acrtransfer/vendored_sdks/_version.py")
    return match.group(1)


CLASSIFIERS = [
    "Development Status :: 5 - Production/Stable",
    "Intended Audience :: Developers",
    "Intended Audience :: System Administrators",
    "Programming Language :: Python",
    "Programming Language :: Python :: 3",
    "License :: OSI Approved :: MIT License",
]

setup(
    name="acrtransfer",
    version=_version(),
    description="Microsoft Azure Command-Line Tools ACR Transfer extension: export and import pipelines "
                "and pipeline runs",
    long_description=_read("README.md") + "\n\n" + _read("HISTORY.rst"),
    long_description_content_type="text/markdown",
    license="MIT",
    author="The acrtransfer developers",
    url="https://github.com/Azure/azure-cli-extensions/tree/main/src/acrtransfer",
    classifiers=CLASSIFIERS,
    packages=find_packages(include=["azext_acrtransfer", "azext_acrtransfer.*"]),
    package_data={"azext_acrtransfer": ["azext_metadata.json"]},
    install_requires=[],  # everything needed ships with azure-cli (azure-core, azure-mgmt-core, knack)
    python_requires=">=3.9",
)
