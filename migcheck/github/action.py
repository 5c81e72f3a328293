"""`migcheck github`: the action's entrypoint. Inputs arrive as MIGCHECK_* env vars, the job's facts as GITHUB_*.

Order: read the token and remove every token variable from the environment (nothing the project runs inherits
one) -> read the context and the inputs (a mistake is exit code 2) -> the install command (only under an event
that may run the checked-out code) -> the check, the same Settings and engine as `migcheck check` -> publish:
annotations (a check run, else workflow commands), the sticky PR comment, the job summary, the step outputs.
Publishing never changes the exit code: whatever fails there becomes a ::warning:: in the log and a line in the
job summary. Everything printed goes through `log.py`, so that no text from the repository becomes a workflow
command.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from migcheck import masking
from migcheck.errors import EXIT_CANNOT_CHECK, MigcheckError, describe_failure, failure_exit_code
from migcheck.github import ApiError, check_run, comment, connect, mask
from migcheck.github.context import CODE_SAFE_EVENTS, GitHubContext, Inputs, remove_tokens, token_from
from migcheck.github.log import Log, guarded_output
from migcheck.github.wording import as_inputs, for_action
from migcheck.report.printable import printable
from migcheck.result import CheckResult

if TYPE_CHECKING:
    from migcheck.config import Settings
    from migcheck.report import Links

MAX_SUMMARY = 800_000  # GitHub takes 1 MiB of job summary per step; characters may take several bytes
# The `result` output: the check passed / found what fails it / could not check (action.yml documents each).
SUCCESS, FAILURE, ERROR = RESULTS = ("success", "failure", "error")
# HOME inside a Docker action's container: the runner mounts $RUNNER_TEMP/_github_home of its host there
CONTAINER_HOME = Path("/github/home")


def run_action() -> int:
    """Run `migcheck github`; the exit code is the check's (0/1), 2 when migcheck could not check, 130/143 on a
    signal."""
    masking.add_environment_tokens()  # before anything can fail, and before the variables are removed
    environ = dict(os.environ)
    token = token_from(environ)
    masking.add_token(token)
    # kept in `environ` for migcheck's own API calls; gone from what the install command and env.py inherit
    remove_tokens(os.environ, token)
    with guarded_output((token,)) as (out, err):
        log = Log(token, out, err)
        try:
            return _run(environ, log)
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the last boundary, inside the guard
            _debug(exc, log)
            _cannot_check(describe_failure(exc), log, *_files(environ))
            return failure_exit_code(exc)


def _files(environ: Mapping[str, str]) -> tuple[Path | None, Path | None]:
    """The job summary and the step outputs, when the context that names them could not be read."""
    summary, output = (environ.get(name) for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"))
    return (Path(summary) if summary else None), (Path(output) if output else None)


def _run(environ: Mapping[str, str], log: Log) -> int:
    try:
        context = GitHubContext.from_env(environ)
        inputs = Inputs.from_env(environ, context.workspace)
    except MigcheckError as exc:
        return _cannot_check(str(exc), log, *_files(environ))
    try:
        result = _check(context, inputs, log)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the action's one error boundary
        _debug(exc, log)
        _cannot_check(describe_failure(exc), log, context.step_summary, context.output)
        return failure_exit_code(exc)
    # From here on nothing changes the exit code: the check has spoken.
    if result.error is not None:
        _could_not_check_all(result.error, log)
    report = ""
    try:
        report = _publish(context, inputs, result, log)
    except Exception as exc:  # noqa: BLE001
        _debug(exc, log)
        log.warning(f"publishing the results failed: {type(exc).__name__}: {exc}")
    if not report:
        from migcheck.report import text

        report = f"## migcheck\n\n```\n{as_inputs(text.render(result))}```\n"
    _write_summary(context.step_summary, log, report)
    try:
        _write_outputs(context, inputs, result, log)
    except Exception as exc:  # noqa: BLE001
        log.warning(f"writing the step outputs failed: {type(exc).__name__}: {exc}")
    return result.exit_code


def _debug(exc: BaseException, log: Log) -> None:
    if os.environ.get("MIGCHECK_DEBUG") and not isinstance(exc, MigcheckError):
        log.error("".join(traceback.format_exception(exc)).rstrip("\n"))


def _check(context: GitHubContext, inputs: Inputs, log: Log) -> CheckResult:
    from migcheck.config import BASE_AUTO, load_settings
    from migcheck.engine import run

    denied = None if context.code_safe or inputs.allow_untrusted_code else _why_not(context.event_name)
    anyway = "set the action's input `allow-untrusted-code: true` to run it anyway"
    if inputs.install and denied:
        log.warning(f"the install command was not run: {denied}; {anyway}")
    elif inputs.install:
        _install(inputs.install, context.workspace, log)
    # annotations, check runs, comment links and the log all show paths relative to the repository
    settings = replace(
        load_settings(context.workspace / inputs.path, inputs.overrides),
        paths_from=context.workspace,
        as_action=True,
    )
    if settings.base == BASE_AUTO:
        # `auto` is for a developer's clone; in CI the base is the event's: the PR's base commit, or none
        settings = replace(settings, base=None)
    if settings.base is None and context.base_sha:
        settings = _base_from_event(settings, context, log)
    if denied and (settings.drift or settings.drift_only):
        log.warning(f"drift check not run: {denied}; the graph checks ran; {anyway}")
        settings = replace(settings, drift=False, drift_only=False)
    # what the project's code writes straight to the file descriptors is not defused: commands off meanwhile
    with log.framed() if settings.drift or settings.drift_only else contextlib.nullcontext():
        checked = run(settings)
    result = for_action(checked)
    from migcheck.report import text

    log.untrusted(as_inputs(text.render(result)))
    for warning in result.warnings:
        log.warning(warning)
    return result


def _why_not(event: str) -> str:
    """Why the checked-out code may not run under `event`."""
    return (
        f"under {event} the checkout may hold a stranger's code, which would run with this job's token and"
        f" secrets; migcheck runs the repository's code only under {', '.join(CODE_SAFE_EVENTS)}"
    )


def _base_from_event(settings: Settings, context: GitHubContext, log: Log) -> Settings:
    """Check the PR against its base commit when the clone has it; say how to get it when it does not."""

    def git(*args: str) -> bool:
        try:
            run = subprocess.run(
                ["git", "-C", str(context.workspace), *args], capture_output=True, check=False
            )
        except OSError:
            return False
        return run.returncode == 0

    if not git("rev-parse", "--git-dir"):
        return settings  # not a git checkout (an unpacked artifact, say): there is no history to compare
    if not git("cat-file", "-e", f"{context.base_sha}^{{commit}}"):
        log.warning(
            f"the merge result was not checked (MC110-MC112): the PR's base commit {context.base_sha} is not in"
            " this clone; check out with `fetch-depth: 0` (actions/checkout) to block PRs that add a second head"
            " once merged"
        )
        return settings
    # checked at the exact commit, named as the reader knows it (`after merge main will have 2 heads`)
    return replace(settings, base=context.base_sha, base_label=context.base_ref)


def _install(command: str, workspace: Path, log: Log) -> None:
    # the environment is os.environ, from which run_action() removed every token
    log.command("group", f"migcheck: {command}")
    try:
        done = subprocess.run(
            command, shell=True, cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
    except OSError as exc:
        log.command("endgroup")
        raise MigcheckError(
            f"the action's `install` command {command!r} cannot run: {exc.strerror or exc}"
        ) from None
    output = done.stdout.decode("utf-8", "replace")
    if output:
        log.untrusted(output)
    log.command("endgroup")
    if done.returncode != 0:
        tail = "\n".join(output.rstrip().splitlines()[-20:])
        raise MigcheckError(
            f"the action's `install` command {command!r} failed with exit code {done.returncode}"
            + (f":\n{tail}" if tail else "")
        )


def _publish(context: GitHubContext, inputs: Inputs, result: CheckResult, log: Log) -> str:
    """Annotations and the PR comment; returns the Markdown report for the job summary."""
    from migcheck.report import Links, markdown

    links = Links(context.server_url, context.repository, context.sha, context.run_url)
    wants_comment = context.pr_number is not None and inputs.comment != "never"
    client = None
    if context.token and (inputs.annotations or wants_comment):
        try:
            client = connect(context.api_url, context.token)
        except ImportError:
            log.warning(
                "PyGithub is not installed (pip install 'alembic-migcheck[github]'): no check run, no PR comment"
            )
    if inputs.annotations:
        _annotate(context, inputs, result, links, client, log)
    if wants_comment:
        _comment(context, inputs, result, links, client, log)
    # `result` is in the action's words already (for_action); as_inputs() is left only the reporter's own
    # words (`--fail-on error` -> `fail-on: error`), which it never lengthens: the limits still hold
    return as_inputs(markdown.render(result, links=links, limit=MAX_SUMMARY))


def _annotate(
    context: GitHubContext, inputs: Inputs, result: CheckResult, links: Links, client: Any, log: Log
) -> None:
    from migcheck.report import github as workflow
    from migcheck.report import markdown
    from migcheck.report.text import verdict

    remaining = result.findings
    if client is not None:
        published = check_run.publish(
            client,
            context.repository,
            name="migcheck" if inputs.path == "." else f"migcheck ({inputs.path})",
            sha=context.sha,
            findings=result.findings,
            title=as_inputs(verdict(result)),
            summary=as_inputs(markdown.render(result, links=links, limit=check_run.MAX_SUMMARY)),
            success=result.exit_code == 0,
            details_url=context.run_url,
            token=context.token,
        )
        remaining = result.findings[published.count :]
        error = published.error
        if error is not None and not published.created and error.refused:
            log.info(
                "no permission to create a check run (the job needs `checks: write`); the findings are"
                " workflow-command annotations instead, of which GitHub shows only the first few"
            )
        elif error is not None and not published.created:
            log.warning(
                f"could not create the check run: {error}; the findings are workflow-command annotations instead"
            )
        elif error is not None:
            log.warning(
                f"could not attach every annotation to the check run: {error}; the rest are workflow commands"
            )
        if error is None:
            return
    lines, omitted = workflow.annotations(replace(result, findings=remaining))
    for line in lines:
        log.annotation(line)
    if omitted:
        log.notes.append(
            f"{omitted} more {'finding is' if omitted == 1 else 'findings are'} not shown as annotations"
            " (GitHub shows only the first few per step); the report above lists them all."
        )


def _comment(
    context: GitHubContext,
    inputs: Inputs,
    result: CheckResult,
    links: Links,
    client: Any,
    log: Log,
) -> None:
    from migcheck.report import markdown

    mark = comment.marker(inputs.path, inputs.comment_key)
    room = comment.MAX_BODY - len(mark) - 1
    failed = result.exit_code != 0
    assert context.pr_number is not None
    if client is None:
        if context.token is None and comment.wanted(inputs.comment, failed):
            log.warning("no GitHub token (the action's `github-token` input): the PR comment was not posted")
        return
    try:
        done = comment.update(
            client,
            context.repository,
            context.pr_number,
            mark=mark,
            report=as_inputs(markdown.render(result, links=links, limit=room)),
            resolved=as_inputs(markdown.resolved_note(result, links=links)),
            failed=failed,
            mode=inputs.comment,
            token=context.token,
            legacy=comment.marker(inputs.path),
        )
    except ApiError as exc:
        why = ""
        if exc.refused and context.from_fork:
            why = " (a pull request from a fork gets a read-only token)"
        elif exc.refused:
            why = " (the job needs `pull-requests: write`)"
        log.warning(f"could not post the PR comment: {exc}{why}; the report is in the job summary")
        return
    if done != "nothing":
        log.info(f"PR comment {done} (#{context.pr_number})")


def _write_summary(path: Path | None, log: Log, report: str) -> None:
    """Append the report, then what the log would otherwise hide (left-out annotations, warnings)."""
    if path is None:
        return
    parts = [report.rstrip("\n")] if report else []
    parts += log.notes
    parts += [_quote(f"[!WARNING]\n{w}") for w in log.warnings]
    try:
        with path.open("a", encoding="utf-8") as summary:
            summary.write(printable(mask("\n\n".join(parts), log.token)) + "\n")
    except OSError as exc:
        log.command("warning", f"cannot write the job summary: {exc.strerror or exc}", title="migcheck")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _write_outputs(context: GitHubContext, inputs: Inputs, result: CheckResult, log: Log) -> None:
    from migcheck.report import json as json_report

    slug = "" if inputs.path == "." else "-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", inputs.path).strip("-")
    report, shown = report_path(context, f"migcheck-report{slug}.json")
    try:
        report.write_text(json_report.render(result), encoding="utf-8")
    except OSError as exc:
        log.warning(f"cannot write the JSON report {report}: {exc.strerror or exc}")
        shown = ""
    heads = dict.fromkeys(p.revision for h in result.histories for p in h.heads)
    set_outputs(
        context.output,
        {
            "result": ERROR if result.error is not None else SUCCESS if result.exit_code == 0 else FAILURE,
            "heads": ",".join(heads),
            "findings": str(len(result.findings)),
            "report": shown,
        },
        log,
    )


def report_path(context: GitHubContext, name: str) -> tuple[Path, str]:
    """Where to write the JSON report, and its path as a later step of the job sees it; never the checkout.

    A later step runs on the runner's host (or in a container of its own), so the file must be somewhere the
    host can read: RUNNER_TEMP when this process sees it (a run step, a composite action); inside the Docker
    action's container RUNNER_TEMP names a host directory that is not mounted, but HOME (/github/home) is the
    host's $RUNNER_TEMP/_github_home, so the file goes there and the output names the host's path.
    """
    temp, home = context.runner_temp, context.home
    if temp is not None and temp.is_dir():
        return temp / name, str(temp / name)
    if home is not None and home == CONTAINER_HOME and home.is_dir():
        shown = PurePosixPath(temp.as_posix(), "_github_home", name) if temp is not None else home / name
        return home / name, str(shown)
    path = Path(tempfile.gettempdir()) / name  # not a job at all (a local try): anywhere but the checkout
    return path, str(path)


def set_outputs(path: Path | None, values: Mapping[str, str], log: Log) -> None:
    """Append step outputs to GITHUB_OUTPUT, a value with a line break in @actions/core's heredoc form."""
    if path is None:
        return
    lines = []
    for name, value in values.items():
        value = printable(value)
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}")
        else:
            lines.append(f"{name}={value}")
    try:
        with path.open("a", encoding="utf-8") as out:
            out.write("".join(f"{line}\n" for line in lines))
    except OSError as exc:
        log.warning(f"cannot write the step outputs: {exc.strerror or exc}")


def _could_not_check_all(message: str, log: Log) -> None:
    """Part of the check could not run: say so as an error in the log; the findings are still published."""
    log.error(message)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        log.command("error", message, title="migcheck could not check")


def _cannot_check(message: str, log: Log, summary: Path | None, output: Path | None) -> int:
    message = as_inputs(mask(message, log.token))
    log.error(message)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        log.command("error", message, title="migcheck")
    log.notes.append(f"## migcheck could not check\n\n```\n{message}\n```")
    _write_summary(summary, log, "")
    set_outputs(output, {"result": ERROR}, log)
    return EXIT_CANNOT_CHECK
