from celery import shared_task

from organisations import services


@shared_task
def purge_old_tokens() -> int:
    """A person gets a token at each sign-in; the ones ended long ago are removed so the table stays small."""
    return services.tokens_purge()
