"""Environment readers: good values, bad values, *_FILE secrets and their errors."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from vcio.conf import (
    ConfigError,
    env_bool,
    env_choice,
    env_email,
    env_float,
    env_int,
    env_list,
    env_path,
    env_str,
)


def write(tmp_path: Path, content: str, name: str = "secret") -> str:
    """Write ``content`` to a file under tmp_path and return its path as a string."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


# --- shared behaviour: unset, empty, *_FILE, both set, unreadable ----------


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCIO_TEST_NAME", "from-os")
    assert env_str("VCIO_TEST_NAME") == "from-os"


def test_empty_and_blank_values_count_as_unset() -> None:
    assert env_str("X", "dflt", environ={"X": ""}) == "dflt"
    assert env_bool("X", True, environ={"X": "  "}) is True
    assert env_int("X", 7, environ={"X": "", "X_FILE": ""}) == 7


def test_file_variant_supplies_the_stripped_content(tmp_path: Path) -> None:
    path = write(tmp_path, "  s3cret \n")
    assert env_str("X", environ={"X_FILE": path}) == "s3cret"


@pytest.mark.parametrize(
    ("reader", "content", "expected"),
    [
        (lambda env: env_bool("X", False, environ=env), "yes\n", True),
        (lambda env: env_int("X", 0, environ=env), "42\n", 42),
        (lambda env: env_list("X", [], environ=env), "a, b\n", ["a", "b"]),
        (lambda env: env_choice("X", "a", ["a", "b"], environ=env), "b\n", "b"),
        (lambda env: env_email("X", environ=env), "ops@example.com\n", "ops@example.com"),
        (lambda env: env_path("X", Path("/unused"), environ=env), "/srv/vcio\n", Path("/srv/vcio")),
    ],
)
def test_every_reader_accepts_the_file_variant(
    tmp_path: Path, reader: Callable[[dict[str, str]], object], content: str, expected: object
) -> None:
    assert reader({"X_FILE": write(tmp_path, content)}) == expected


def test_file_variant_expands_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path, "from-home")
    assert env_str("X", environ={"X_FILE": "~/secret"}) == "from-home"


def test_setting_both_name_and_file_is_an_error(tmp_path: Path) -> None:
    env = {"VCIO_SECRET_KEY": "a", "VCIO_SECRET_KEY_FILE": write(tmp_path, "b")}
    with pytest.raises(ConfigError, match="VCIO_SECRET_KEY and VCIO_SECRET_KEY_FILE"):
        env_str("VCIO_SECRET_KEY", environ=env)


def test_missing_file_names_the_variable_and_the_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    with pytest.raises(ConfigError) as excinfo:
        env_str("VCIO_SECRET_KEY", environ={"VCIO_SECRET_KEY_FILE": missing})
    message = str(excinfo.value)
    assert "VCIO_SECRET_KEY_FILE" in message
    assert missing in message
    assert "No such file" in message


def test_directory_instead_of_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"X_FILE={tmp_path}: cannot read")):
        env_str("X", environ={"X_FILE": str(tmp_path)})


def test_undecodable_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "binary"
    path.write_bytes(b"\xff\xfe\xfa")
    with pytest.raises(ConfigError, match="cannot read"):
        env_str("X", environ={"X_FILE": str(path)})


def test_empty_file_is_an_error_not_a_silent_default(tmp_path: Path) -> None:
    path = write(tmp_path, "\n")
    with pytest.raises(ConfigError, match=re.escape(f"X_FILE={path}: the file is empty")):
        env_str("X", "insecure-default", environ={"X_FILE": path})


def test_errors_are_improperly_configured() -> None:
    from django.core.exceptions import ImproperlyConfigured

    assert issubclass(ConfigError, ImproperlyConfigured)


# --- env_str ----------------------------------------------------------------


def test_str_value_default_and_none() -> None:
    assert env_str("X", environ={"X": "hello world"}) == "hello world"
    assert env_str("X", "fallback", environ={}) == "fallback"
    assert env_str("X", environ={}) is None


def test_str_required_names_both_ways_to_set_it() -> None:
    with pytest.raises(ConfigError, match="VCIO_SECRET_KEY is required.*VCIO_SECRET_KEY_FILE"):
        env_str("VCIO_SECRET_KEY", required=True, environ={})


# --- env_bool ---------------------------------------------------------------


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "Yes", "on", " on "])
def test_bool_true_words(word: str) -> None:
    assert env_bool("X", False, environ={"X": word}) is True


@pytest.mark.parametrize("word", ["0", "false", "False", "NO", "off", "\toff\n"])
def test_bool_false_words(word: str) -> None:
    assert env_bool("X", True, environ={"X": word}) is False


def test_bool_default_when_unset() -> None:
    assert env_bool("X", True, environ={}) is True
    assert env_bool("X", False, environ={}) is False


@pytest.mark.parametrize("word", ["maybe", "2", "y", "enabled"])
def test_bool_rejects_other_words(word: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        env_bool("VCIO_DEBUG", False, environ={"VCIO_DEBUG": word})
    assert str(excinfo.value) == (
        f"VCIO_DEBUG={word!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off"
    )


def test_bool_error_mentions_the_file_it_came_from(tmp_path: Path) -> None:
    path = write(tmp_path, "maybe")
    expected = f"VCIO_DEBUG='maybe' (read from VCIO_DEBUG_FILE={path})"
    with pytest.raises(ConfigError, match=re.escape(expected)):
        env_bool("VCIO_DEBUG", False, environ={"VCIO_DEBUG_FILE": path})


# --- env_int ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("8", 8), (" 8 ", 8), ("-3", -3), ("0", 0)])
def test_int_good_values(text: str, expected: int) -> None:
    assert env_int("X", 1, environ={"X": text}) == expected


def test_int_default_when_unset_is_not_range_checked() -> None:
    assert env_int("X", 5, minimum=10, environ={}) == 5


def test_int_accepts_the_bounds_themselves() -> None:
    assert env_int("X", 5, minimum=1, maximum=64, environ={"X": "1"}) == 1
    assert env_int("X", 5, minimum=1, maximum=64, environ={"X": "64"}) == 64


def test_int_rejects_non_numbers_naming_variable_value_and_range() -> None:
    with pytest.raises(ConfigError) as excinfo:
        env_int("VCIO_WORKERS", 2, minimum=1, maximum=64, environ={"VCIO_WORKERS": "two"})
    assert str(excinfo.value) == "VCIO_WORKERS='two' is not a whole number (allowed: from 1 to 64)"


def test_int_rejects_decimals() -> None:
    with pytest.raises(ConfigError, match="X='1.5' is not a whole number"):
        env_int("X", 2, environ={"X": "1.5"})


@pytest.mark.parametrize(
    ("text", "minimum", "maximum", "allowed"),
    [
        ("0", 1, 64, "from 1 to 64"),
        ("65", 1, 64, "from 1 to 64"),
        ("0", 1, None, "1 or more"),
        ("100", None, 10, "10 or less"),
    ],
)
def test_int_rejects_out_of_range(
    text: str, minimum: int | None, maximum: int | None, allowed: str
) -> None:
    with pytest.raises(ConfigError) as excinfo:
        env_int("VCIO_PORT", 2, minimum=minimum, maximum=maximum, environ={"VCIO_PORT": text})
    assert str(excinfo.value) == f"VCIO_PORT={text!r} is out of range (allowed: {allowed})"


# --- env_list ---------------------------------------------------------------


def test_list_splits_strips_and_drops_empties() -> None:
    env = {"X": " a.example.com, ,b.example.com,,  c "}
    assert env_list("X", [], environ=env) == ["a.example.com", "b.example.com", "c"]


def test_list_single_item() -> None:
    assert env_list("X", [], environ={"X": "localhost"}) == ["localhost"]


def test_list_of_only_commas_is_empty() -> None:
    assert env_list("X", ["dflt"], environ={"X": ",,"}) == []


def test_list_default_is_a_copy() -> None:
    default = ["localhost"]
    result = env_list("X", default, environ={})
    result.append("other")
    assert default == ["localhost"]


# --- env_path ---------------------------------------------------------------


def test_path_is_absolute_and_resolved(tmp_path: Path) -> None:
    env = {"X": str(tmp_path / "a" / ".." / "data")}
    assert env_path("X", Path("/unused"), environ=env) == (tmp_path / "data").resolve()


def test_path_expands_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert env_path("X", Path("/unused"), environ={"X": "~/data"}) == tmp_path.resolve() / "data"


def test_path_relative_is_resolved_against_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert env_path("X", Path("/unused"), environ={"X": "data"}) == tmp_path.resolve() / "data"


def test_path_default_is_expanded_and_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert env_path("X", Path("~/vcio"), environ={}) == tmp_path.resolve() / "vcio"
    assert env_path("X", Path("~/vcio"), environ={}).is_absolute()


# --- env_choice -------------------------------------------------------------

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def test_choice_exact_match() -> None:
    assert env_choice("X", "INFO", LEVELS, environ={"X": "ERROR"}) == "ERROR"


def test_choice_ignores_case_and_spaces_but_returns_canonical_spelling() -> None:
    assert env_choice("X", "INFO", LEVELS, environ={"X": " warning "}) == "WARNING"


def test_choice_default_when_unset() -> None:
    assert env_choice("X", "INFO", LEVELS, environ={}) == "INFO"


def test_choice_rejects_others_listing_the_choices() -> None:
    with pytest.raises(ConfigError) as excinfo:
        env_choice("VCIO_LOG_LEVEL", "INFO", LEVELS, environ={"VCIO_LOG_LEVEL": "loud"})
    assert str(excinfo.value) == (
        "VCIO_LOG_LEVEL='loud' is not one of: DEBUG, INFO, WARNING, ERROR"
    )


def test_choice_bad_default_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="default 'TRACE' for X"):
        env_choice("X", "TRACE", LEVELS, environ={})


# --- env_email --------------------------------------------------------------


def test_email_good_value() -> None:
    env = {"VCIO_ADMIN_EMAIL": " cio@example.com "}
    assert env_email("VCIO_ADMIN_EMAIL", environ=env) == "cio@example.com"


def test_email_default_and_none() -> None:
    assert env_email("X", "root@localhost.localdomain", environ={}) == "root@localhost.localdomain"
    assert env_email("X", environ={}) is None


@pytest.mark.parametrize("text", ["not-an-email", "a@", "@example.com", "a b@example.com"])
def test_email_rejects_bad_addresses(text: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        env_email("VCIO_ADMIN_EMAIL", environ={"VCIO_ADMIN_EMAIL": text})
    assert str(excinfo.value) == f"VCIO_ADMIN_EMAIL={text!r} is not a valid email address"


def test_os_environ_is_not_modified() -> None:
    before = dict(os.environ)
    env_str("VCIO_SURELY_UNSET_FOR_TESTS", environ=None)
    assert dict(os.environ) == before


def test_floats_are_read_within_their_range() -> None:
    assert env_float("X", 0.1, environ={}) == 0.1
    assert env_float("X", 0.1, minimum=0, maximum=1, environ={"X": " 0.25 "}) == 0.25
    for bad, words in (("high", "not a number"), ("nan", "not a finite"), ("1.5", "out of range")):
        with pytest.raises(ConfigError, match=words):
            env_float("X", 0.1, minimum=0, maximum=1, environ={"X": bad})
