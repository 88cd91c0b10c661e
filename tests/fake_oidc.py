"""A minimal OpenID Connect provider for tests: discovery, authorize, token, JWKS, userinfo.

It signs in whoever the test names (``provider.next_user``) without asking: the authorize
endpoint redirects straight back with a code, the token endpoint answers with an RS256 ID
token carrying ``preferred_username`` and the nonce it was given. Enough for Streamlit's
``st.login`` (Authlib) to complete a real authorization-code flow against it.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.jose import JsonWebKey, jwt

CLIENT_ID = "gsyf-test"
CLIENT_SECRET = "gsyf-test-secret"


class FakeOIDC:
    """Run with ``with FakeOIDC() as provider:``; ``provider.issuer`` is its base URL."""

    def __init__(self) -> None:
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "k1"})
        self.next_user = "nobody"
        self.codes: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOIDC:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _claims(self, user: str, nonce: str | None) -> dict:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": f"sub-{user}", "aud": CLIENT_ID, "iat": now,
                  "exp": now + 600, "preferred_username": user, "email": f"{user}@example.invalid",
                  "name": user}  # fmt: skip
        if nonce:
            claims["nonce"] = nonce
        return claims

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _json(self, body: dict, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json({
                        "issuer": provider.issuer,
                        "authorization_endpoint": f"{provider.issuer}/authorize",
                        "token_endpoint": f"{provider.issuer}/token",
                        "jwks_uri": f"{provider.issuer}/jwks",
                        "userinfo_endpoint": f"{provider.issuer}/userinfo",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "scopes_supported": ["openid", "profile", "email"],
                        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                    })  # fmt: skip
                elif url.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(is_private=False)]})
                elif url.path == "/authorize":
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"user": provider.next_user, "nonce": query.get("nonce")}
                    back = {"code": code, "state": query.get("state", "")}
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
                    self.end_headers()
                elif url.path == "/userinfo":
                    self._json(provider._claims(provider.next_user, None))
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                grant = provider.codes.pop(form.get("code", ""), None)
                if urlsplit(self.path).path != "/token" or grant is None:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                header = {"alg": "RS256", "kid": "k1"}
                id_token = jwt.encode(header, provider._claims(grant["user"], grant["nonce"]), provider.key)
                self._json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                            "expires_in": 600, "id_token": id_token.decode()})  # fmt: skip

        return Handler


def secrets_toml(issuer: str) -> str:
    """The ``[auth]`` section that points Streamlit's ``st.login`` at the fake provider."""
    return (
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )
