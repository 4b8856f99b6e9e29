"""How the API knows a caller by token (`Authorization: Token <key>`), and how fast a token may call it."""
import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions, throttling

from organisations.models import ApiToken

log = logging.getLogger(__name__)

# last_used_at is written at most this often: idle expiry is counted in hours, a write per request is waste.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """DRF's header format; the key is looked up by its SHA-256. Revoked tokens, tokens of deactivated people and
    a person's tokens unused for `TOKEN_IDLE_HOURS` answer 401."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = ApiToken.objects.with_user_and_roles(ApiToken.hash_key(key))
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("令牌无效或已撤销。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("该账户已停用。")
        now = timezone.now()
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed("令牌已因长时间未使用而失效，请重新登录获取令牌。")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token: a service account's at `SERVICE_TOKEN_RATE`, a person's at `USER_TOKEN_RATE` (unset:
    not limited). Session requests (the pages) and anonymous ones are not counted here. The rates are read on
    each request, so that settings can change them in tests."""

    cache_format = "throttle_token_%(ident)s"

    def __init__(self):
        # SimpleRateThrottle reads DRF's DEFAULT_THROTTLE_RATES here; our rates come per request.
        pass

    def allow_request(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        self.rate = settings.SERVICE_TOKEN_RATE if token.user.is_service else settings.USER_TOKEN_RATE
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        # The key's hash, not the row id: ids repeat between test databases sharing one Redis.
        self.key = self.cache_format % {"ident": token.key_hash[:32]}
        try:
            return super().allow_request(request, view)
        except Exception:  # a cache outage must not turn every request into a 500
            log.warning("Rate limit not applied: the cache is unavailable.", exc_info=True)
            return True

    def get_cache_key(self, request, view):
        return self.key
