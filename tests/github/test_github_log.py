"""The job log's guarded streams: a line that would be a workflow command is defused, however it was written."""

from __future__ import annotations

import io

import pytest

from migcheck.github.log import Guarded, Log


def written(*chunks: str, secrets: tuple[str, ...] = ()) -> str:
    inner = io.StringIO()
    stream = Guarded(inner, secrets)
    for chunk in chunks:
        stream.write(chunk)
    stream.close()
    return inner.getvalue()


def test_a_command_written_in_pieces_is_defused() -> None:
    assert written(":", ":err", "or title=x::y\n") == "%3A:error title=x::y\n"


def test_a_carriage_return_starts_a_line_as_it_does_for_the_runner() -> None:
    assert written("done\r::add-mask::x\r\n") == "done\n%3A:add-mask::x\n"


def test_leading_white_space_and_the_old_syntax_do_not_help() -> None:
    assert written(" \t\u00a0::error::x\n##[error]y\n") == " \t\u00a0%3A:error::x\n%23#[error]y\n"


def test_a_line_without_a_command_is_left_as_it_is() -> None:
    assert written("a::b\nnote: ::x\n") == "a::b\nnote: ::x\n"


def test_a_partial_line_is_written_when_the_stream_closes() -> None:
    assert written("::warning::x") == "%3A:warning::x\n"


def test_secrets_are_masked_and_undecodable_bytes_made_printable() -> None:
    assert (
        written("token s3cr3t-value in caf\udcff\n", secrets=("s3cr3t-value",)) == "token *** in caf\\xff\n"
    )


def test_only_one_whole_command_passes_as_trusted() -> None:
    stream = Guarded(io.StringIO())

    with pytest.raises(ValueError, match="not one workflow command"):
        stream.trusted("::error::a\n::add-mask::b")
    with pytest.raises(ValueError, match="not one workflow command"):
        stream.trusted("plain text")


def test_a_command_after_a_partial_line_starts_on_a_line_of_its_own() -> None:
    inner = io.StringIO()
    log = Log(None, Guarded(inner), Guarded(io.StringIO()))
    log.out.write("no newline yet")

    log.warning("x\n::error::y")

    assert inner.getvalue() == "no newline yet\n::warning title=migcheck::x%0A::error::y\n"
