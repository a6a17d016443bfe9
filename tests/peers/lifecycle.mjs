// Shared by the Node peers: stop when stdin closes (the test that started us
// dropped its end), on SIGTERM/SIGINT/SIGHUP, or when orphaned (our parent
// changed). `currentServer()` returns the http.Server to close, once there is one.
export function stopWhenReleased(log, currentServer) {
  let shuttingDown = false;
  function shutdown(reason) {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`shutting down (${reason})`);
    const server = currentServer();
    if (server) {
      server.close();
      server.closeAllConnections?.();
    }
    process.exit(0);
  }
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(sig, () => shutdown(sig));
  }
  process.stdin.on('end', () => shutdown('stdin end'));
  process.stdin.on('close', () => shutdown('stdin close'));
  process.stdin.on('error', () => shutdown('stdin error'));
  process.stdin.resume(); // discard anything written to us; needed to see 'end'
  const initialPpid = process.ppid;
  setInterval(() => {
    if (process.ppid !== initialPpid) shutdown('parent exited');
  }, 500).unref();
}
