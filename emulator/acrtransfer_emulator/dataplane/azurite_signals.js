// Preloaded into Azurite (NODE_OPTIONS=--require) by processes.start_azurite.
// Azurite handles SIGTERM and SIGINT once, with a graceful close that saves its metadata; a second
// signal would kill it in the middle of that save. A service killed with SIGKILL sends its children
// the parent-death signal once per thread that dies, so keep a no-op listener: later signals are
// ignored, the close completes, and the process exits when its event loop is empty.
process.on("SIGTERM", () => {});
process.on("SIGINT", () => {});
