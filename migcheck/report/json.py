"""JSON report: a stable schema (`version` 1) for machines; keys are only ever added, never renamed."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from migcheck import __version__
from migcheck.findings import Finding
from migcheck.paths import relative
from migcheck.report.printable import printable_data
from migcheck.result import BaseBranch, CheckResult, Point

SCHEMA_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.location.path,
        "line": finding.location.line,
        "end_line": finding.location.end_line,
        "hint": finding.hint,
        "revision": finding.revision,
        "environment": finding.environment,
    }


def _point(p: Point) -> dict[str, Any]:
    return {**asdict(p), "branch_labels": list(p.branch_labels)}


def _base(base: BaseBranch | None) -> dict[str, Any] | None:
    if base is None:
        return None
    return {"ref": base.ref, "source": base.source, "branch": base.branch, "described": base.described}


def document(result: CheckResult) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "migcheck_version": __version__,
        "ok": result.exit_code == 0,
        "exit_code": result.exit_code,
        "fail_on": result.threshold,
        # every path below is relative to `paths_from` (the repository's root, from the command line);
        # `root` is the checked directory, relative to it too
        "paths_from": result.paths_from or result.root,
        "root": relative(Path(result.root), Path(result.paths_from or result.root)),
        "counts": result.counts(),
        "revision_count": result.revision_count,
        "heads": [{"environment": h.environment, **_point(p)} for h in result.histories for p in h.heads],
        "bases": [{"environment": h.environment, **_point(p)} for h in result.histories for p in h.bases],
        "environments": [
            {
                "name": h.environment,
                "script_location": h.script_location,
                "revision_count": h.revision_count,
                "heads": [_point(p) for p in h.heads],
                "bases": [_point(p) for p in h.bases],
                "merge_points": list(h.merge_points),
                "edges": [list(e) for e in h.edges],
                "new_revisions": list(h.new_revisions),
            }
            for h in result.histories
        ],
        # environments checked as one history per subdirectory, and why (added in schema version 1)
        "splits": [
            {
                "environment": s.environment,
                "subdirectories": list(s.subdirectories),
                "shared_ids": list(s.shared_ids),
                "reason": s.reason,
            }
            for s in result.splits
        ],
        "findings": [finding_dict(f) for f in result.findings],
        "notices": list(result.notices),
        # what to act on although nothing failed: a drift check `drift = "auto"` could not run, and what to set
        "warnings": list(result.warnings),
        # why part of the check could not run (then exit_code is 2); null when everything was checked
        "error": result.error,
        # the git ref the merge result was checked against; source: option, upstream or origin/HEAD (auto)
        "base": _base(result.base),
        # MySQL/MariaDB with --base: each new revision's ALTER and the best algorithm the server took (MC351)
        "copy_only": [
            {
                "environment": c.environment,
                "revision": c.revision,
                "table": c.table,
                "statement": c.statement,
                "best": c.best,
                "refused": c.refused,
                "server": c.server,
            }
            for c in result.copy_only
        ],
        # on PostgreSQL with a base branch: each new revision's locks and rewrites of existing relations
        "traces": [
            {
                "environment": r.environment,
                "revision": r.revision,
                "path": r.path,
                "locks": [
                    {
                        "relation": t.relation,
                        "kind": t.kind,
                        "table": t.table,
                        "modes": list(t.modes),
                        "strongest": t.strongest or None,
                        "blocks": t.blocks or None,
                        "rewritten": t.rewritten,
                        "changes": [{"what": what, "name": name} for what, name in t.changes],
                    }
                    for t in r.locks
                ],
            }
            for r in result.traces
        ],
    }


def render(result: CheckResult, *, color: bool = False) -> str:
    return json.dumps(printable_data(document(result)), indent=2) + "\n"
