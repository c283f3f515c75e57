"""Password strength beside Django's length and common-password checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# Words an attacker tries first here: the product's name. (The city's name belongs in
# TOMONI_PASSWORD_WORDS, set per city.)
PRODUCT_WORDS = ("tomoni", "ともに")
# zxcvbn's cost grows with the length; what lies past this adds guesses, never removes them.
CHECKED_LENGTH = 100


class StrengthValidator:
    """Refuses passwords zxcvbn estimates as guessable (score below ``min_score``, 0–4).

    zxcvbn sees repeats (aaaaaaaaaaaa), keyboard rows, dates, and dictionary words with
    common substitutions and repetition (Passw0rd!Passw0rd), which a length rule cannot.
    """

    def __init__(self, min_score: int = 4, words: tuple[str, ...] = ()) -> None:
        self.min_score = min_score
        self.words = words

    def validate(self, password: str, user: Any = None) -> None:
        inputs = [
            *PRODUCT_WORDS,
            *self.words,
            *(
                str(value)
                for value in (getattr(user, "username", ""), getattr(user, "display_name", ""))
                if value
            ),
        ]
        result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=inputs)
        if result["score"] < self.min_score:
            raise ValidationError(
                "推測されやすいパスワードです。同じ文字や単語のくり返し、よく使われる単語"
                "（password など）、キーボードの並び、日付や名前は避け、関係のない単語を"
                "3つ以上つなげるなどして長くしてください。",
                code="password_too_guessable",
            )

    def get_help_text(self) -> str:
        return "推測されにくいもの（関係のない単語を3つ以上つなげるなど）にしてください。"
