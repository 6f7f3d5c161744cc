# The extension's version: setup.py reads it from here, and the client's user agent names it.
VERSION = "3.0.0"

# The one REST API version the client speaks (ARM spec containerregistry.json).
API_VERSION = "2025-06-01-preview"
