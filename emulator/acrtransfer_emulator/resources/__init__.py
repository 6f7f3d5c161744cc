"""One module per ARM resource type; one function per operationId."""
