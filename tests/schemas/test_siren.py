import pytest

from schemas.siren import LA_POSTE_SIREN, is_valid_siren, luhn_valid, make_siren


def test_luhn_accepts_a_known_valid_number():
    assert luhn_valid("732829320")


def test_luhn_rejects_a_wrong_check_digit():
    assert not luhn_valid("732829321")


@pytest.mark.parametrize("text", ["", "73282932a", " 732829320", "٧٣٢٨٢٩٣٢٠", "-1"])
def test_luhn_rejects_what_is_not_ascii_digits(text):
    assert not luhn_valid(text)


@pytest.mark.parametrize("text", ["73282932", "0732829320", "732 829 320"])
def test_siren_must_have_nine_digits(text):
    assert not is_valid_siren(text)


def test_siren_with_valid_checksum_is_valid():
    assert is_valid_siren("732829320")


def test_la_poste_siren_is_accepted():
    assert is_valid_siren(LA_POSTE_SIREN)


def test_make_siren_appends_the_check_digit_to_the_eight_digit_prefix():
    assert make_siren(0) == "000000000"
    assert make_siren(73282932) == "732829320"


def test_make_siren_gives_the_only_valid_number_of_its_prefix():
    for n in (1, 12345678, 99999999):
        siren = make_siren(n)
        valid = [d for d in "0123456789" if is_valid_siren(siren[:8] + d)]
        assert valid == [siren[8]]


def test_make_siren_is_ascending():
    sirens = [make_siren(n) for n in range(1000)]
    assert sirens == sorted(sirens)
    assert all(is_valid_siren(s) for s in sirens)


@pytest.mark.parametrize("n", [-1, 10**8])
def test_make_siren_refuses_an_index_out_of_range(n):
    with pytest.raises(ValueError):
        make_siren(n)
