"""SARIF 2.1.0 report, for GitHub code scanning (`github/codeql-action/upload-sarif`) and other SARIF viewers.

Every registered rule is listed (so code scanning can show the docs of any alert); each finding is a result
with a relative, forward-slash path under `%SRCROOT%` and a fingerprint that survives line moves.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from migcheck import __version__
from migcheck.checks import REGISTRY
from migcheck.findings import Finding, Rule, Severity
from migcheck.report.printable import path_bytes, printable_data
from migcheck.result import CheckResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# the project URL of pyproject.toml ([project.urls] Homepage); tests/test_distribution.py keeps them equal
INFORMATION_URI = "https://github.com/migcheck/migcheck"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "note"}
FINGERPRINT = "migcheckFinding/v1"


def _descriptor(rule: Rule) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {
            "text": rule.description or rule.summary,
            "markdown": rule.description or rule.summary,
        },
        "help": {"text": rule.description or rule.summary, "markdown": rule.description or rule.summary},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }
    if rule.dialects:  # the databases the rule judges (the values of --dialect); absent: every database
        descriptor["properties"] = {"dialects": list(rule.dialects)}
    return descriptor


def _uri(path: str) -> str:
    """A relative URI reference: forward slashes, no leading `./` or `/`, unsafe characters percent-encoded."""
    posix = path.replace("\\", "/").lstrip("/")
    while posix.startswith("./"):
        posix = posix[2:]
    return quote(path_bytes(posix), safe="/")  # an undecodable byte in a file name: its own %XX


def fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: the rule, path, revision, history and message, not the line."""
    parts = (
        finding.rule,
        finding.location.path,
        finding.revision or "",
        finding.environment or "",
        finding.message,
    )
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": max(1, finding.location.line)}
    if finding.location.end_line is not None and finding.location.end_line >= region["startLine"]:
        region["endLine"] = finding.location.end_line
    return {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": LEVELS[finding.severity],
        "message": {"text": f"{finding.message}\nFix: {finding.hint}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(finding.location.path), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
    }


def document(result: CheckResult) -> dict[str, Any]:
    """The SARIF log as a dict: one run, all rules in code order, results in the report's order."""
    registry = REGISTRY
    rules = [_descriptor(registry[code]) for code in sorted(registry)]
    # a finding of an unregistered rule (a plugin's, say) still needs a descriptor for its ruleIndex
    rules += [{"id": code} for code in sorted({f.rule for f in result.findings} - set(registry))]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "migcheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "results": [_result(f, index) for f in findings],
                "invocations": [_invocation(result)],
            }
        ],
    }


def _invocation(result: CheckResult) -> dict[str, Any]:
    """Whether migcheck checked everything; a run that could not says why, so no viewer takes it as clean."""
    invocation: dict[str, Any] = {"executionSuccessful": result.error is None}
    if result.error is not None:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": f"migcheck could not check: {result.error}"}}
        ]
    return invocation


def render(result: CheckResult, *, color: bool = False) -> str:
    return json.dumps(printable_data(document(result)), indent=2, ensure_ascii=False) + "\n"
