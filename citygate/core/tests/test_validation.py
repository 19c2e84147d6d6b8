import pytest

from citygate.core.validation import small_positive_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        ("10000", 10_000),
        ("10001", None),
        ("0", None),
        ("-1", None),
        ("", None),
        ("²", None),
        ("١٢", None),
        ("１２", None),
        ("9" * 5000, None),
        ("1.5", None),
    ],
)
def test_small_positive_int_takes_only_short_ascii_numbers(text: str, expected: int | None) -> None:
    assert small_positive_int(text, maximum=10_000) == expected
