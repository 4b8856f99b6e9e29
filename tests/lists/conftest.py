# The review queue tests use the publishing tests' newsroom (six reviewers, a column and an account).
from tests.publishing.conftest import newsroom  # noqa: F401
