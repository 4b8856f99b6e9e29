"""Password rules: classes of characters, never the username, no pattern passwords, and Django's own rules
with Chinese messages (AUTH_PASSWORD_VALIDATORS)."""
import itertools
import re
import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
    ("符号", set(string.punctuation)),
)


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(1 for _name, chars in CLASSES if any(c in chars for c in password))
        if used < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类。"


class NotUsernameValidator:
    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if username and username in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名。"


# --- Django's own rules, with their messages in Chinese whatever the request's language -----------------------

class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短，至少需要{self.min_length}个字符。"

    def get_help_text(self):
        return f"密码至少需要{self.min_length}个字符。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of 20,000 common passwords (shipped with Django, read locally)."""

    def get_error_message(self):
        return "该密码过于常见，请换一个。"

    def get_help_text(self):
        return "密码不能是常见密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "密码不能全部为数字。"

    def get_help_text(self):
        return "密码不能全部为数字。"


# --- Pattern passwords --------------------------------------------------------------------------------------------

# A word, optional symbols, a run of digits, optional symbols: "Admin@123", "Password1!", "Qwer!1111".
_PATTERN = re.compile(r"^([A-Za-z]+)[^A-Za-z0-9]*([0-9]+)[^A-Za-z0-9]*$")
# Letters one types in a row on a keyboard or in the alphabet.
_RUNS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz", "1qaz2wsx3edc")


def _is_digit_run(digits: str) -> bool:
    """One digit repeated ("888") or counting up or down by one ("123", "4321", "0987")."""
    if len(set(digits)) == 1:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return steps in ({1}, {9})


def _is_letter_run(word: str) -> bool:
    return len(word) >= 3 and any(word in run or word in run[::-1] for run in _RUNS)


class PatternPasswordValidator:
    """Refuses a common word or a keyboard run followed by a sequence of digits ("Admin@123"): such passwords
    satisfy the character classes yet are the first that anyone tries."""

    def __init__(self):
        self._common = None

    def _common_words(self) -> set[str]:
        if self._common is None:
            self._common = CommonPasswordValidator().passwords
        return self._common

    def validate(self, password, user=None):
        match = _PATTERN.match(password or "")
        if not match:
            return
        word, digits = match.group(1).lower(), match.group(2)
        username = (getattr(user, "username", "") or "").lower()
        if (word in self._common_words() or _is_letter_run(word) or word == username) and _is_digit_run(digits):
            raise ValidationError(
                "密码不能是“常见单词或键盘序列＋连续数字”的组合（如 Admin@123），请换一个不易猜到的密码。",
                code="password_pattern",
            )

    def get_help_text(self):
        return "密码不能是常见单词或键盘序列加连续数字的组合（如 Admin@123）。"
