"""A local ACR Transfer service: the ARM surface of exportPipelines, importPipelines and pipelineRuns.

Start it with ``python -m acrtransfer_emulator start --home DIR``; see README.md.
"""

__version__ = "0.1.0"

API_VERSION = "2025-06-01-preview"
