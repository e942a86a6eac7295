"""Fictional resident ID numbers that pass GB 11643 validation (real area codes valid in the
birth year, real dates, correct check digit) — most of Faker's own fail python-stdnum's checks."""

import datetime
import random

from stdnum.cn import ric

# County-level codes of Jiangsu (江苏), where the fictional 江海市 lies; stdnum knows which of
# them existed in which years, so each draw is checked and redrawn until valid.
CANDIDATE_AREAS = [f"32{city:02d}{county:02d}" for city in range(1, 14) for county in range(1, 99)]


def _with_check_digit(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")  # the function ignores the last character


def fake_id_number(rng: random.Random, *, born_from: int = 1966, born_to: int = 2004,
                   female: bool | None = None) -> str:
    start = datetime.date(born_from, 1, 1).toordinal()
    end = datetime.date(born_to, 12, 31).toordinal()
    while True:
        birth = datetime.date.fromordinal(rng.randint(start, end))
        if female is None:
            sex_digit = rng.randint(0, 9)
        else:
            sex_digit = rng.randrange(0, 10, 2) if female else rng.randrange(1, 10, 2)
        number = _with_check_digit(f"{rng.choice(CANDIDATE_AREAS)}{birth:%Y%m%d}{rng.randint(0, 99):02d}{sex_digit}")
        try:
            return ric.validate(number)
        except (ric.ValidationError, KeyError):  # stdnum 2.2 raises KeyError for city-level codes
            continue
