# The review tests use the same newsroom (six reviewers, a column and an account) as the publishing tests.
from tests.publishing.conftest import newsroom  # noqa: F401
