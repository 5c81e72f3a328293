"""A fake GitHub REST API on 127.0.0.1: the endpoints `migcheck github` uses, in the shapes GitHub returns.

It records every request and checks each one against what GitHub would accept (the token in
`Authorization`, JSON bodies on writes, at most 50 annotations per check-run update, bodies under 65,536
characters, ...). A request GitHub would refuse, or a path the fake does not know, is answered 404/422 and
noted in `violations`, which every test expects to be empty.

Faults are injected per route: `api.fault("POST", "/issues/42/comments", "forbidden")` answers the next
matching request with a fork PR's 403; `times=` repeats it. `twin_before` / `twin_after` on a comment's POST
play a concurrent run of the same job, whose identical comment lands just before or just after this one.

The token belongs to `login` (`github-actions[bot]`, the job's GITHUB_TOKEN, by default): GraphQL's `viewer`
names it, and `GET /user` answers as GitHub does for an app's installation token (403) unless `login` is a
user's.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

MAX_BODY = 65_536
MAX_ANNOTATIONS = 50
FAULTS = (
    "forbidden",
    "not_found",
    "bad_gateway",
    "slow",
    "secondary_rate_limit",
    "echo_token",
    "twin_before",
    "twin_after",
)
BOT = "github-actions[bot]"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    kind: str
    times: int
    delay: float = 0.0
    retry_after: int = 1


@dataclass
class FakeGitHub:
    """State of the fake: the repository, its issue comments and check runs, and what was asked of it."""

    token: str
    repository: str = "octo-org/shop"
    login: str = BOT  # whose token it is
    max_per_page: int = 100
    base_url: str = ""
    requests: list[Request] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    check_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    _ids: int = 1000
    _remaining: int = 5000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- test-facing helpers ---------------------------------------------------------------------------

    def fault(
        self, method: str, path: str, kind: str, *, times: int = 1, delay: float = 0.0, retry_after: int = 1
    ) -> None:
        """Answer the next `times` requests whose path ends with `path` (a regex) with a failure."""
        assert kind in FAULTS, kind
        self.faults.append(Fault(method, re.compile(f"{path}$"), kind, times, delay, retry_after))

    def add_comment(self, number: int, body: str, login: str = "someone") -> dict[str, Any]:
        with self._lock:
            return self._new_comment(number, body, login)

    def calls(self) -> list[tuple[str, str]]:
        """(method, path) of every request, in order."""
        return [(r.method, r.path) for r in self.requests]

    def repo_path(self, rest: str = "") -> str:
        return f"/repos/{self.repository}{rest}"

    # --- resources -------------------------------------------------------------------------------------

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _new_comment(self, number: int, body: str, login: str) -> dict[str, Any]:
        cid = self._next_id()
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        comment = {
            "id": cid,
            "node_id": f"IC_{cid}",
            "url": f"{self.base_url}/repos/{self.repository}/issues/comments/{cid}",
            "html_url": f"https://github.com/{self.repository}/pull/{number}#issuecomment-{cid}",
            "issue_url": f"{self.base_url}/repos/{self.repository}/issues/{number}",
            "body": body,
            "user": {"login": login, "id": 41898282, "type": "Bot" if "[bot]" in login else "User"},
            "created_at": now,
            "updated_at": now,
            "author_association": "NONE",
        }
        self.comments.setdefault(number, []).append(comment)
        return comment

    def _delete_comment(self, cid: int) -> bool:
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == cid:
                    comments.remove(comment)
                    return True
        return False

    def _repo(self) -> dict[str, Any]:
        owner, name = self.repository.split("/")
        return {
            "id": 1296269,
            "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
            "name": name,
            "full_name": self.repository,
            "private": False,
            "owner": {"login": owner, "id": 1, "type": "Organization"},
            "html_url": f"https://github.com/{self.repository}",
            "url": f"{self.base_url}/repos/{self.repository}",
            "fork": False,
            "default_branch": "main",
        }

    def _issue(self, number: int, pulls: bool) -> dict[str, Any]:
        kind = "pulls" if pulls else "issues"
        return {
            "id": 1_000_000 + number,
            "number": number,
            "state": "open",
            "title": "Add loan table",
            "url": f"{self.base_url}/repos/{self.repository}/{kind}/{number}",
            "html_url": f"https://github.com/{self.repository}/pull/{number}",
            "comments": len(self.comments.get(number, [])),
            "user": {"login": "contributor", "id": 2, "type": "User"},
        }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        api = self.server.api
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        request = Request(
            self.command,
            split.path,
            dict(parse_qsl(split.query)),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        with api._lock:
            api.requests.append(request)
            problem = self._check(request)
            if problem:
                api.violations.append(f"{request.method} {request.path}: {problem}")
            fault = self._take_fault(request)
        if problem:
            status = 401 if "Authorization" in problem else 422
            self._send(status, {"message": problem})
            return
        if fault is not None:
            if self._apply_fault(fault, request):
                return
        with api._lock:
            status, payload, headers = self._route(request)
            if fault is not None and fault.kind == "twin_after" and status == 201:
                api._new_comment(int(payload["issue_url"].rsplit("/", 1)[1]), request.body["body"], api.login)
        self._send(status, payload, headers)

    def _check(self, r: Request) -> str | None:
        api = self.server.api
        auth = r.headers.get("authorization", "")
        if auth not in (f"token {api.token}", f"Bearer {api.token}"):
            return "Authorization header missing or not the token"
        if not r.headers.get("user-agent"):
            return "no User-Agent (GitHub refuses those)"
        if r.method in ("POST", "PATCH", "PUT"):
            if not r.headers.get("content-type", "").startswith("application/json"):
                return f"write without a JSON content type: {r.headers.get('content-type')!r}"
            if not isinstance(r.body, dict):
                return "write without a JSON object body"
        if isinstance(r.body, dict):
            text = r.body.get("body")
            if text is not None and (not isinstance(text, str) or not text or len(text) > MAX_BODY):
                return f"comment body empty or longer than {MAX_BODY} characters"
            output = r.body.get("output")
            if output is not None:
                return _check_output(output)
        return None

    def _take_fault(self, r: Request) -> Fault | None:
        for fault in self.server.api.faults:
            if fault.times > 0 and fault.method == r.method and fault.pattern.search(r.path):
                fault.times -= 1
                return fault
        return None

    def _apply_fault(self, fault: Fault, request: Request) -> bool:
        """Answer with the fault; False when the request then goes on normally (a slow response)."""
        if fault.kind == "slow":
            time.sleep(fault.delay)
            return False
        if fault.kind == "twin_before":
            number = int(request.path.split("/")[-2])
            with self.server.api._lock:
                self.server.api._new_comment(number, request.body["body"], self.server.api.login)
            return False
        if fault.kind == "twin_after":
            return False  # the twin is made once this request has made its comment
        if fault.kind == "forbidden":
            self._send(403, _error("Resource not accessible by integration", "rest/issues/comments"))
        elif fault.kind == "echo_token":
            # a careless proxy or server that repeats the credentials in its error message
            self._send(422, _error(f"Validation Failed: {request.headers['authorization']}", "rest"))
        elif fault.kind == "not_found":
            self._send(404, _error("Not Found", "rest"))
        elif fault.kind == "bad_gateway":
            body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            self._send_raw(502, body, "text/html")
        elif fault.kind == "secondary_rate_limit":
            message = (
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                "If you reach out to GitHub Support for help, please include the request ID."
            )
            self._send(
                403,
                _error(message, "rest/overview/rate-limits-for-the-rest-api"),
                {"retry-after": str(fault.retry_after)},
            )
        return True

    def _route(self, r: Request) -> tuple[int, Any, dict[str, str]]:
        api = self.server.api
        if r.path == "/graphql" and r.method == "POST":
            return self._graphql(r.body)
        if r.path == "/user" and r.method == "GET":
            if api.login.endswith("[bot]"):
                return 403, _error("Resource not accessible by integration", "rest/users/users"), {}
            return 200, {"login": api.login, "id": 583231, "type": "User"}, {}
        prefix = api.repo_path()
        if r.path == prefix and r.method == "GET":
            return 200, api._repo(), {}
        if not r.path.startswith(prefix + "/"):
            api.violations.append(f"{r.method} {r.path}: not this repository's path")
            return 404, _error("Not Found", "rest"), {}
        rest = r.path[len(prefix) :]
        if m := re.fullmatch(r"/(issues|pulls)/(\d+)", rest):
            if r.method == "GET":
                return 200, api._issue(int(m[2]), m[1] == "pulls"), {}
        if m := re.fullmatch(r"/issues/(\d+)/comments", rest):
            number = int(m[1])
            if r.method == "GET":
                return self._page(r, api.comments.get(number, []))
            if r.method == "POST":
                return 201, api._new_comment(number, r.body["body"], "github-actions[bot]"), {}
        if m := re.fullmatch(r"/issues/comments/(\d+)", rest):
            found = [c for cs in api.comments.values() for c in cs if c["id"] == int(m[1])]
            if r.method == "PATCH" and found:
                found[0]["body"] = r.body["body"]
                found[0]["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                return 200, found[0], {}
            if r.method == "DELETE" and found:
                api._delete_comment(found[0]["id"])
                return 204, None, {}
            if not found:
                return 404, _error("Not Found", "rest/issues/comments"), {}
        if rest == "/check-runs" and r.method == "POST":
            return self._create_check_run(r.body)
        if m := re.fullmatch(r"/check-runs/(\d+)", rest):
            run = api.check_runs.get(int(m[1]))
            if r.method == "PATCH" and run is not None:
                return 200, _update_check_run(run, r.body), {}
        api.violations.append(f"{r.method} {r.path}: unknown endpoint")
        return 404, _error("Not Found", "rest"), {}

    def _graphql(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        """Only `viewer { login }`: what an action asks to learn whose token it holds."""
        api = self.server.api
        query = body.get("query") if isinstance(body, dict) else None
        if not isinstance(query, str) or re.sub(r"\s+", " ", query).strip() != "query { viewer { login } }":
            api.violations.append(f"POST /graphql: a query the fake does not know: {query!r}")
            return 200, {"errors": [{"message": "unknown query", "type": "INTERNAL"}]}, {}
        return 200, {"data": {"viewer": {"login": api.login}}}, {}

    def _page(self, r: Request, items: list[dict[str, Any]]) -> tuple[int, Any, dict[str, str]]:
        api = self.server.api
        per_page = min(int(r.query.get("per_page", "30")), api.max_per_page)
        page = int(r.query.get("page", "1"))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []

        def url(n: int) -> str:
            query = urlencode({**r.query, "per_page": per_page, "page": n})
            return f"<{api.base_url}{r.path}?{query}>"

        if page < last:
            links += [f'{url(page + 1)}; rel="next"', f'{url(last)}; rel="last"']
        if page > 1:
            links += [f'{url(page - 1)}; rel="prev"', f'{url(1)}; rel="first"']
        return 200, chunk, ({"Link": ", ".join(links)} if links else {})

    def _create_check_run(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        api = self.server.api
        if not isinstance(body.get("name"), str) or not re.fullmatch(
            r"[0-9a-f]{40}", str(body.get("head_sha"))
        ):
            return 422, _error("Invalid request: name and head_sha are required", "rest/checks/runs"), {}
        rid = api._next_id()
        run = {
            "id": rid,
            "node_id": f"CR_{rid}",
            "name": body["name"],
            "head_sha": body["head_sha"],
            "status": body.get("status", "queued"),
            "conclusion": body.get("conclusion"),
            "url": f"{api.base_url}/repos/{api.repository}/check-runs/{rid}",
            "html_url": f"https://github.com/{api.repository}/runs/{rid}",
            "details_url": body.get("details_url"),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "completed_at": None,
            "output": {"title": None, "summary": None, "text": None, "annotations_count": 0},
            "annotations": [],
            "app": {"id": 15368, "slug": "github-actions", "name": "GitHub Actions"},
        }
        api.check_runs[rid] = run
        if "output" in body:
            _update_check_run(run, {"output": body["output"]})
        return 201, _public(run), {}

    # --- the wire ----------------------------------------------------------------------------------------

    def _rate_headers(self) -> dict[str, str]:
        api = self.server.api
        with api._lock:
            api._remaining = max(0, api._remaining - 1)
            remaining = api._remaining
        return {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
            "X-RateLimit-Used": str(5000 - remaining),
            "X-RateLimit-Resource": "core",
            "X-GitHub-Media-Type": "github.v3; format=json",
        }

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = b"" if status == 204 else json.dumps(payload).encode()
        self._send_raw(status, data, "application/json; charset=utf-8", headers)

    def _send_raw(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for key, value in {**self._rate_headers(), **(headers or {})}.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to answer


def _error(message: str, doc: str) -> dict[str, str]:
    return {"message": message, "documentation_url": f"https://docs.github.com/{doc}", "status": ""}


def _check_output(output: Any) -> str | None:
    if not isinstance(output, dict) or not output.get("title") or not output.get("summary"):
        return "check run output needs a title and a summary"
    if len(output["summary"]) > MAX_BODY - 1:
        return "check run output summary longer than 65,535 characters"
    notes = output.get("annotations", [])
    if len(notes) > MAX_ANNOTATIONS:
        return f"{len(notes)} annotations in one request (GitHub takes at most {MAX_ANNOTATIONS})"
    for note in notes:
        missing = {"path", "start_line", "end_line", "annotation_level", "message"} - set(note)
        if missing:
            return f"annotation without {sorted(missing)}"
        if note["annotation_level"] not in ("notice", "warning", "failure"):
            return f"annotation_level {note['annotation_level']!r} is not notice, warning or failure"
        if (
            not isinstance(note["start_line"], int)
            or note["start_line"] < 1
            or note["end_line"] < note["start_line"]
        ):
            return f"bad annotation lines {note['start_line']}..{note['end_line']}"
        if note["path"].startswith("/"):
            return f"annotation path {note['path']!r} is not relative to the repository"
    return None


def _update_check_run(run: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    for key in ("name", "status", "conclusion", "details_url", "completed_at"):
        if key in body:
            run[key] = body[key]
    if "conclusion" in body:
        run["status"] = "completed"
    if "output" in body:
        output = body["output"]
        run["annotations"] += output.get("annotations", [])
        run["output"] = {
            "title": output["title"],
            "summary": output["summary"],
            "text": output.get("text"),
            "annotations_count": len(run["annotations"]),
        }
    return _public(run)


def _public(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if k != "annotations"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api: FakeGitHub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        # a client that timed out and hung up is part of the tests; anything else is a bug in the fake
        if not isinstance(error, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            self.api.violations.append(f"the fake API failed: {error!r}")


def serve(api: FakeGitHub) -> tuple[_Server, threading.Thread]:
    server = _Server(api)
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-github", daemon=True)
    thread.start()
    return server, thread
