"""The local ACR Transfer service (the emulator). Not part of the extension's wheel."""
from setuptools import find_packages, setup

setup(
    name="acrtransfer-emulator",
    version="0.1.0",
    description="Local ACR Transfer service (ARM exportPipelines, importPipelines, pipelineRuns) for tests and demos",
    packages=find_packages(include=["acrtransfer_emulator", "acrtransfer_emulator.*"]),
    package_data={"acrtransfer_emulator": ["default_config.json"], "acrtransfer_emulator.dataplane": ["*.js", "*.md"]},
    python_requires=">=3.9",
    install_requires=[
        "starlette",
        "uvicorn",
        "cryptography",
        "certifi",
        "requests",   # testing.Emulator and the start command's readiness check
        "azure-storage-blob",   # the data plane talks to Azurite with it
    ],
    entry_points={"console_scripts": ["acrtransfer-emulator=acrtransfer_emulator.cli:main"]},
)
