//! The long help's examples and notes of `login`, `token` and `matrix`.

pub(super) const LOGIN_EXAMPLES: &str = "\
Examples:
  mcp-auth login https://mcp.example.com/mcp
  mcp-auth login https://auth.example.com --client-id abc --scope \"openid profile email\"
  mcp-auth login https://auth.example.com --client-id abc --redirect-port 8976 --no-browser
  mcp-auth login https://mcp.example.com/mcp --refresh
  mcp-auth login https://mcp.example.com/mcp --grant client-credentials --client-id svc --client-secret-file secret.txt
  mcp-auth login https://mcp.example.com/mcp --grant client-credentials --client-id svc --private-key svc.pem
  mcp-auth login https://mcp.example.com/mcp --grant jwt-bearer --assertion-file /var/run/secrets/mcp/token
  mcp-auth login https://mcp.example.com/mcp --grant refresh-token --client-id app --refresh-token-file rt.txt
  mcp-auth login https://mcp.example.com/mcp --grant token-exchange --subject-token-file id-token.jwt \\
      --idp-issuer https://idp.example.com --idp-client-id app-at-idp --client-id app --client-secret-file app.secret

Secrets, assertions and ID tokens are read from files (`-`: stdin) or the environment
(MCP_AUTH_CLIENT_SECRET, MCP_AUTH_ASSERTION, MCP_AUTH_SUBJECT_TOKEN, MCP_AUTH_IDP_CLIENT_SECRET,
MCP_AUTH_REFRESH_TOKEN),
never from the command line.

The browser is $BROWSER when set, else the system's; the URL is always printed too.
Tokens are cached per (issuer, client id, resource) under $MCP_AUTH_HOME/tokens (default:
the user's data directory), mode 0600; a DPoP-bound login keeps its key in the same file,
and `call`, `whoami` and refresh sign their DPoP proofs with it.

Exit codes: 0 logged in; 1 the login was refused or failed a check (state, iss, PKCE);
2 usage error; 3 the server could not be reached.";

pub(super) const TOKEN_EXAMPLES: &str = "\
Examples:
  mcp-auth token inspect                                # the only cached login's access token
  mcp-auth token inspect --cached https://mcp.example.com/mcp --require-scope mcp:tools
  pbpaste | mcp-auth token inspect - --resource https://mcp.example.com/mcp
  mcp-auth token inspect - --client-id rs-1 --client-secret-file rs-1.secret < token.txt

Prefer `-` (stdin) or --cached to a token on the command line: arguments are visible to other
users' process listings (a token given there is still read, with a warning). An opaque (non-JWT)
token cannot be judged offline: it is introspected (RFC 7662) when the issuer has an
introspection_endpoint and a client is known (--client-id, or the cached login's; its secret
from --client-secret-file or MCP_AUTH_CLIENT_SECRET).

Exit codes: 0 an MCP server would accept it; 1 it would not; 2 usage error; 3 it cannot be
judged (an opaque token that was not introspected).";

pub(super) const MATRIX_EXAMPLES: &str = "\
Examples:
  mcp-auth matrix                                   # all of providers/ (matrix = true), concurrently
  mcp-auth matrix --only keycloak,auth0 --format markdown > COMPATIBILITY.md
  mcp-auth matrix https://id.example.com/realms/staff https://mcp.example.com/mcp   # ad-hoc URLs only
  mcp-auth matrix --providers my-providers/ --target https://id.example.com   # your files and a URL
  mcp-auth matrix --record evidence/                # save every exchange, one file per provider
  mcp-auth matrix --replay evidence/                # re-grade offline, identical output
  mcp-auth matrix --format json > last.json
  mcp-auth matrix --baseline last.json              # print what changed; exit 1 on regressions
  mcp-auth matrix --registry --output eco.jsonl     # every remote server of the MCP Registry
  mcp-auth matrix --registry --resume eco.jsonl     # go on after an interruption
  mcp-auth matrix --registry --shard 1/4 -o s1.jsonl  # one of four parallel jobs
  mcp-auth matrix merge s*.jsonl --format html -o index.html   # the report page

Exit codes: 0 done (whatever the verdicts); 1 a regression against --baseline; 2 usage error
(e.g. a provider file that does not validate); 3 the registry walk stopped early (--registry:
the rows written so far are kept).";
