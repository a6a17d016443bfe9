// A "browser" for the suite's authorization server, which approves at once:
// a plain HTTP client that follows the redirects from the authorization URL
// to mcp-auth's loopback callback. mcp-auth starts it through $BROWSER with
// the URL as its one argument.
const [url] = process.argv.slice(2);
try {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(20000) });
  await res.text();
} catch (e) {
  console.error(`follow-redirects: ${url}: ${e.message}`);
  process.exitCode = 1;
}
